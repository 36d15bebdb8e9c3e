package io.queuedeck.engine.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.callback.CallbackFaults;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Callback receiver faults through the catalogue, against the real dispatcher and a real HTTP
 * receiver: down, slow and 5xx, with a blast radius of every callback, one tenant or one host;
 * listed while they act, marked and audited, and every callback arrives once when they end.
 */
class CallbackFaultsTest {
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
    private final MockWebServer receiver = new MockWebServer();
    private final Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
    private final CallbackFaults hooks = new CallbackFaults();
    private CallbackDispatcher callbacks;
    private CompletionFeed feed;
    private FaultCatalogue faults;

    private void start(int maxAttempts) throws Exception {
        receiver.start(InetAddress.getLoopbackAddress(), 0);
        callbacks = CallbackDispatcher.builder(engine.clock(), threads)
                .maxAttempts(maxAttempts)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .allowedHosts(List.of("127.0.0.1:" + receiver.getPort(), "localhost:" + receiver.getPort()))
                .faults(hooks)
                .build();
        feed = new CompletionFeed(engine, threads).onFinished(callbacks::deliver);
        engine.start();
        feed.start(1);
        faults = new FaultCatalogue(engine, FaultClock.live(threads, System::nanoTime), () -> 0);
        faults.registerCallbacks(hooks);
    }

    @AfterEach
    void close() throws Exception {
        if (feed != null) {
            feed.close();
        }
        engine.close();
        if (callbacks != null) {
            callbacks.close();
        }
        receiver.close();
        threads.shutdownNow();
    }

    private void submit(String id, String tenant, String host) {
        engine.send(new Command.Submit(new TaskSpec(id, Engine.Builder.DEFAULT_MODEL, "hi", 5,
                "http://" + host + ":" + receiver.getPort() + "/hook", tenant, null, null, 4, null, null))).join();
    }

    private List<String> received(int n, long seconds) throws InterruptedException {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest r = receiver.takeRequest(seconds, TimeUnit.SECONDS);
            if (r == null) {
                break;
            }
            keys.add(r.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER));
        }
        return keys;
    }

    @Test
    void callbackDown_onOneTenant_othersDeliveredAndItsArriveOnceWhenCleared() throws Exception {
        start(50);
        for (int i = 0; i < 3; i++) {
            receiver.enqueue(new MockResponse.Builder().code(200).build());
        }
        ActiveFault fault = faults.inject(new FaultSpec(FaultKind.CALLBACK_DOWN, BlastRadius.parse("tenant:acme")));
        assertThat(faults.active()).extracting(ActiveFault::id).containsExactly(fault.id());

        submit("a-1", "acme", "127.0.0.1");
        submit("b-1", "other", "127.0.0.1");

        assertThat(received(1, 10)).containsExactly("b-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.inFlight() == 1); // a-1 retrying
        assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("nothing of acme's gets through").isNull();

        assertThat(faults.clear(fault.id())).isTrue();

        assertThat(received(1, 10)).containsExactly("a-1");
        assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("delivered once").isNull();
        assertThat(callbacks.deadLetters()).isEmpty();
        assertThat(engine.audit().find(AuditQuery.all()).entries()).extracting(e -> e.action() + " " + e.target())
                .contains("fault.inject " + fault.id(), "fault.clear " + fault.id());
    }

    @Test
    void callback5xx_onOneHost_retriedThenDelivered_otherHostUntouched() throws Exception {
        start(50);
        for (int i = 0; i < 2; i++) {
            receiver.enqueue(new MockResponse.Builder().code(200).build());
        }
        ActiveFault fault = faults.inject(new FaultSpec(FaultKind.CALLBACK_5XX, BlastRadius.parse("host:localhost"),
                Map.of("status", 502.0), null));

        submit("local", null, "localhost");
        submit("loop", null, "127.0.0.1");

        assertThat(received(1, 10)).containsExactly("loop");
        faults.clear(fault.id());
        assertThat(received(1, 10)).containsExactly("local");
        assertThat(callbacks.deadLetters()).isEmpty();
    }

    @Test
    void callbackDown_withOneAttempt_deadLettersTheCallback() throws Exception {
        start(1);
        faults.inject(new FaultSpec(FaultKind.CALLBACK_DOWN, BlastRadius.NODE));

        submit("lost", null, "127.0.0.1");

        await().atMost(Duration.ofSeconds(10)).until(() -> !callbacks.deadLetters().isEmpty());
        assertThat(callbacks.deadLetters().getFirst().lastError()).contains("injected callback receiver outage");
    }

    @Test
    void callbackSlow_answersLate_butDelivers() throws Exception {
        start(3);
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        faults.inject(new FaultSpec(FaultKind.CALLBACK_SLOW, BlastRadius.NODE, Map.of("latency_ms", 400.0), null));
        long before = System.nanoTime();

        submit("late", null, "127.0.0.1");

        assertThat(received(1, 10)).containsExactly("late");
        assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
    }

    @Test
    void callbackFault_withoutCallbacks_orAtAnInstance_isRefusedFieldPrecisely() throws Exception {
        engine.start();
        FaultCatalogue bare = new FaultCatalogue(engine, FaultClock.live(threads, System::nanoTime), () -> 0);

        assertThatThrownBy(() -> bare.inject(new FaultSpec(FaultKind.CALLBACK_DOWN, BlastRadius.NODE)))
                .hasMessageStartingWith("kind: this engine posts no callbacks");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.CALLBACK_DOWN, BlastRadius.instance(0)))
                .hasMessageStartingWith("target: callback_down hits");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.CALLBACK_5XX, BlastRadius.NODE, Map.of("status", 429.0), null))
                .hasMessageContaining("parameters.status: must be 500..599");
        assertThatThrownBy(() -> new FaultSpec(FaultKind.CALLBACK_SLOW, BlastRadius.NODE, Map.of("latency_ms", 9_999_999_999_999.0), null))
                .hasMessageContaining("parameters.latency_ms: must be from 0 to 600000");
        // a target is written to the log and the audit trail: a NUL and a newline forged a log line
        assertThatThrownBy(() -> BlastRadius.parse("tenant:a\u0000\n\u202eb"))
                .hasMessage("target: a tenant name may hold only ASCII letters, digits and . _ : / - [ ], got character U+0000 at 1");
        assertThatThrownBy(() -> BlastRadius.parse("tenant:" + "t".repeat(65))).hasMessageContaining("at most 64 characters, got 65");
        assertThatThrownBy(() -> BlastRadius.parse("host:" + "h".repeat(3_000))).hasMessageContaining("at most 261");
        assertThat(BlastRadius.parse("host:[::1]:8080").target()).isEqualTo("[::1]:8080");
        assertThatThrownBy(() -> BlastRadius.parse("host:example.com:99999")).hasMessage("target: a host's port is from 1 to 65535, got 99999");
        assertThatThrownBy(() -> BlastRadius.parse("host:[::1]:0")).hasMessageContaining("got 0");
        assertThat(BlastRadius.parse("host:example.com:443").target()).isEqualTo("example.com:443");
    }
}
