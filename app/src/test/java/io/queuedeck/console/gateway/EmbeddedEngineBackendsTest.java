package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.queuedeck.console.ConsoleOptions;
import io.queuedeck.console.gpus.GpusViewModel;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.exec.InstanceStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code --backend} on the console: real (here: small, local) servers replace the simulated GPUs, and the GPUs screen shows them. */
class EmbeddedEngineBackendsTest {
    private HttpServer server;
    private EmbeddedEngine system;

    @AfterEach
    void tearDown() {
        if (system != null) {
            system.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void backendOption_replacesTheSimulatedGpus_andTheGpusScreenShowsThemAsBackends() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> { // answers the health probe and the model list
            byte[] body = "{\"object\":\"list\",\"data\":[{\"id\":\"served-model\",\"object\":\"model\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        ConsoleOptions options = ConsoleOptions.parse(List.of("--backend", url + ",slots=3", "--in-memory"));

        system = EmbeddedEngine.start(options.policy(), options.backends(), null);

        assertThat(options.load()).isZero(); // the demo load asks for the simulated model, which no backend serves
        List<InstanceStatus> instances = await().atMost(Duration.ofSeconds(10))
                .until(() -> system.engine().latestSnapshot() == null ? null : system.engine().latestSnapshot().instances(),
                        i -> i != null && !i.isEmpty());
        assertThat(instances).singleElement().satisfies(i -> {
            assertThat(i.model()).isEqualTo("served-model"); // asked for with GET /v1/models
            assertThat(i.backend().url()).isEqualTo(url);
            assertThat(i.backend().slots()).isEqualTo(3);
        });
        GpusViewModel gpus = new GpusViewModel(new RecordingCommands(), new ChangeLog(Clock.systemUTC()));
        gpus.apply(system.engine().latestSnapshot());
        assertThat(gpus.rows()).singleElement().satisfies(row -> {
            assertThat(row.isBackend()).isTrue();
            assertThat(row.backend().url()).isEqualTo(url);
        });
        assertThat(system.backends().models()).containsExactly("served-model"); // what the front door lists

        // the console's catalogue takes http faults on its backends, as serve's does
        io.queuedeck.engine.fault.FaultCatalogue faults = ConsoleFaults.start(system.engine(), system.backends(), system::offeredTasksPerSecond);
        io.queuedeck.engine.fault.ActiveFault injected = faults.inject(new io.queuedeck.engine.fault.FaultSpec(
                io.queuedeck.engine.fault.FaultKind.HTTP, io.queuedeck.engine.fault.BlastRadius.parse("backend:" + url),
                java.util.Map.of("status", 503.0), Duration.ofSeconds(30)));
        assertThat(faults.active()).extracting(io.queuedeck.engine.fault.ActiveFault::id).containsExactly(injected.id());
        faults.clearAll();
    }
}
