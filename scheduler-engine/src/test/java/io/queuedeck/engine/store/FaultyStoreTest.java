package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.fault.FaultyStore;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store `serve` runs on is the embedded store wrapped for the store_full fault: it keeps every
 * promise of the store it wraps, the audit trail and finished-task look-ups included.
 */
class FaultyStoreTest extends TaskStoreContract {
    @TempDir
    Path dir;

    @Override
    TaskStore create() {
        return new FaultyStore(TaskStore.embedded(dir));
    }

    @Test
    void everyMethodOfTheStore_isPassedOn_noneLeftToItsDefault() {
        List<String> notOverridden = Arrays.stream(TaskStore.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> declaredBy(m).equals(TaskStore.class))
                .map(Method::getName).toList();
        assertThat(notOverridden).isEmpty();
    }

    private static Class<?> declaredBy(Method method) {
        try {
            return FaultyStore.class.getMethod(method.getName(), method.getParameterTypes()).getDeclaringClass();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void auditEntries_reachTheStore_andAreReadBackAfterAReopen() {
        store.appendAudit(1, "{\"n\":1}".getBytes(StandardCharsets.UTF_8), java.util.List.of());
        store.appendAudit(2, "{\"n\":2}".getBytes(StandardCharsets.UTF_8), java.util.List.of());
        store.close();

        store = create();
        assertThat(store.auditRecords()).extracting(b -> new String(b, StandardCharsets.UTF_8))
                .containsExactly("{\"n\":1}", "{\"n\":2}");
    }
}
