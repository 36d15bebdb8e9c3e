package io.queuedeck.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class ProgressWatchdogTest {
    /**
     * The watchdog wraps serve's simulated GPUs: a method it does not pass on falls to the
     * interface's default, which refuses. Drain did, and POST /v1/instances/0:drain answered 409
     * on serve while it worked in the console.
     */
    @Test
    void everyExecutorMethod_isPassedOnToTheWrappedExecutor() throws Exception {
        for (Method method : Executor.class.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            Method own = ProgressWatchdog.class.getMethod(method.getName(), method.getParameterTypes());
            assertThat(own.getDeclaringClass()).as(method.getName()).isEqualTo(ProgressWatchdog.class);
        }
    }
}
