package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.exec.openai.OpenAiExecutorBuilder;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.TcpFaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real OpenAI-compatible servers of a drill whose target has {@code backends}: each behind its
 * own {@link TcpFaultProxy} (the Toxiproxy model), and the shipped HTTP executor pointed at the
 * proxies, so {@code network} faults on {@code backend:NAME} give the executor exactly what a slow,
 * failing (5xx, 429), resetting or stalled server gives it over a real connection. Real clock only:
 * a server answers in real time.
 */
final class DrillBackends implements AutoCloseable {
    /** What a drill of real backends says when asked to run on the virtual clock. */
    static final String REALTIME_ONLY = "target.backends: real servers answer in real time, so this drill runs only"
            + " live: use drill --realtime (or DrillRunner.realtime)";
    /** How often the executor probes each server's health: fast enough to route around a failing one within a drill. */
    private static final Duration HEALTH_INTERVAL = Duration.ofMillis(250);

    private final Map<String, TcpFaultProxy> proxies = new LinkedHashMap<>();
    final OpenAiExecutor executor;

    DrillBackends(Drill.Backends target) {
        try {
            OpenAiExecutorBuilder builder = OpenAiExecutor.builder().healthInterval(HEALTH_INTERVAL);
            for (Map.Entry<String, String> server : target.servers().entrySet()) {
                URI url = URI.create(server.getValue());
                int port = url.getPort() >= 0 ? url.getPort() : url.getScheme().equals("https") ? 443 : 80;
                TcpFaultProxy proxy = new TcpFaultProxy(new InetSocketAddress(url.getHost(), port),
                        Thread.ofVirtual().name("drill-backend-" + server.getKey() + "-", 0).factory());
                proxies.put(server.getKey(), proxy);
                String path = url.getRawPath() == null ? "" : url.getRawPath();
                // the drill's tasks ask for the engine's default model; the server is told that name
                builder.backend(Backend.at("http://127.0.0.1:" + proxy.port() + path)
                        .withModels(List.of(Engine.Builder.DEFAULT_MODEL)).withSlots(target.slots())
                        .withTimeouts(Duration.ofSeconds(2), target.firstTokenTimeout(), Duration.ofSeconds(60)));
            }
            executor = builder.build();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the fault proxies of target.backends", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code network} faults on {@code backend:NAME} set that server's proxy; {@code http} faults hit its client. */
    void register(FaultCatalogue faults) {
        proxies.forEach(faults::registerProxy);
        faults.registerBackends(executor.faults());
    }

    /**
     * Waits (at most 15 s, counted in polls) until the engine serves on every server: until its
     * first health probe a server is not yet up, and a drill whose steady state began then would
     * measure the start, not the steady state. Answers what to log.
     */
    String awaitServing(Engine engine) {
        int servers = proxies.size();
        for (int polls = 0; polls < 750; polls++) {
            long serving = engine.send(new io.queuedeck.engine.command.Command.TakeSnapshot()).join().instances().stream()
                    .filter(i -> i.state().acceptsWork()).count();
            if (serving >= servers) {
                return "all " + servers + " servers up after " + polls + " checks of 20 ms";
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        return "not every server is up after 15 s: the drill goes on";
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.close();
        }
        for (TcpFaultProxy proxy : proxies.values()) {
            try {
                proxy.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
