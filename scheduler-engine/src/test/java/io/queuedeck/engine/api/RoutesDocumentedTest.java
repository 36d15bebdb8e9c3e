package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The published spec lists every route a fully equipped server has, and nothing it does not serve. */
class RoutesDocumentedTest {
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @TempDir
    Path dir;

    @Test
    void everyRouteIsInTheSpec_andEveryOperationOfTheSpecIsARoute() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), "policy: {name: priority}\n");
        ServeConfig running = ServeConfig.load(file, Map.<String, String>of()::get);
        ReleaseClassifier classifier = new ReleaseClassifier(running.priorityRules());
        Engine engine = Engine.builder().classifier(classifier).build();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        // only so that the cluster routes are registered: nothing is called on it
        SharedTasks noCluster = (SharedTasks) Proxy.newProxyInstance(SharedTasks.class.getClassLoader(),
                new Class<?>[] {SharedTasks.class}, (proxy, method, args) -> {
                    throw new AssertionError("not called: " + method.getName());
                });
        io.queuedeck.engine.callback.CallbackDispatcher callbacks = io.queuedeck.engine.callback.CallbackDispatcher
                .builder(engine.clock(), timers).build();
        try (ApiServer server = ApiServer.builder(engine).port(0)
                .metrics(new io.queuedeck.engine.metrics.EngineMetrics(() -> null))
                .callbacks(callbacks)
                .configService(new ConfigPlane(engine, classifier, running, Files.readString(file), file.toString(), dir,
                        Map.<String, String>of()::get, "priority"))
                .faults(new FaultCatalogue(engine, FaultClock.live(timers, System::nanoTime), () -> 0))
                .openAiFrontDoor(List.of("m"))
                .sharedTasks(noCluster)
                .build()) {
            SortedSet<String> documented = new TreeSet<>();
            JsonNode paths = new ObjectMapper().readTree(Path.of("..", "docs", "api", "openapi.json").toFile()).get("paths");
            paths.properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
                if (METHODS.contains(method)) {
                    // "/v1/operations/{id}:undo" is the route "/v1/operations/{id}", whose handler reads the verb
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey().replaceAll("(\\{\\w+}):\\w+$", "$1"));
                }
            }));

            assertThat(server.routes()).as("routes served").isEqualTo(documented);
        } finally {
            callbacks.close();
            timers.shutdownNow();
            engine.close();
        }
    }
}
