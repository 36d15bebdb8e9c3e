package io.queuedeck.engine.drill;

import com.sun.net.httpserver.HttpServer;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.callback.CallbackFaults;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.task.TaskView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The callbacks of a drill whose target has {@code callbacks}: the shipped {@link CallbackDispatcher}
 * (its retries, backoff and dead letters, its receiver faults) posting over real HTTP to a real
 * receiver on the loopback address that counts deliveries per task. Only time is the drill's: the
 * dispatcher's retry timers are the virtual clock's, and each attempt runs on the drill's thread,
 * so the run stays deterministic. The receiver answers 200 to every post.
 */
final class DrillCallbacks implements AutoCloseable {
    private final HttpServer receiver;
    private final VirtualScheduler timers;
    private final CallbackDispatcher dispatcher;
    private final String url;
    private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final Set<String> expected = ConcurrentHashMap.newKeySet();

    DrillCallbacks(Drill.Callbacks settings, VirtualClock clock, FaultCatalogue faults) {
        try {
            receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the drill's callback receiver", e);
        }
        receiver.createContext("/hook", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
                String key = exchange.getRequestHeaders().getFirst(CallbackDispatcher.IDEMPOTENCY_HEADER);
                deliveries.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        String authority = "127.0.0.1:" + receiver.getAddress().getPort();
        url = "http://" + authority + "/hook";
        timers = new VirtualScheduler(clock);
        CallbackFaults hooks = new CallbackFaults();
        dispatcher = CallbackDispatcher.builder(clock, timers)
                .callerRuns()
                .maxAttempts(settings.maxAttempts())
                .backoff(settings.baseDelay(), settings.maxDelay())
                .allowedHosts(List.of(authority))
                .jitter(() -> 0.5) // the same run for the same file
                .faults(hooks)
                .build();
        faults.registerCallbacks(hooks);
    }

    /** The callback URL every task of the drill carries. */
    String url() {
        return url;
    }

    /** Hands a finished task to the dispatcher, as the completion feed does in {@code serve}. */
    void finished(TaskView task) {
        if (task.spec().callbackUrl() != null) {
            expected.add(task.id());
            dispatcher.deliver(task);
        }
    }

    /** Callbacks still sending or waiting for a retry. */
    int inFlight() {
        return dispatcher.inFlight();
    }

    /** What reached the receiver, for the verdict. */
    Count count() {
        long lost = expected.stream().filter(id -> !deliveries.containsKey(id)).count();
        long twice = deliveries.values().stream().filter(n -> n.get() > 1).count();
        return new Count(expected.size(), expected.size() - lost, lost, twice, dispatcher.deadLetters().size());
    }

    /**
     * What the receiver saw.
     *
     * @param finished  finished tasks with a callback
     * @param delivered of those, the ones whose result reached the receiver
     * @param lost      the ones whose result never did
     * @param twice     tasks whose result reached the receiver more than once
     * @param dead      callbacks the dispatcher dead-lettered
     */
    record Count(long finished, long delivered, long lost, long twice, long dead) {}

    @Override
    public void close() {
        dispatcher.close();
        timers.shutdown();
        receiver.stop(0);
    }
}
