package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The shipped drill of a real backend ({@code backend-5xx-and-stall}): two real OpenAI-compatible
 * servers streaming SSE, each behind a TCP fault proxy, on the real clock (a server answers in real
 * time, so this drill cannot run on the virtual clock). The intact drill holds; its broken variant
 * (retries off) does not. The two runs go side by side, each with its own servers and engine, so
 * the test takes one drill's wall time (about 20 s), not two.
 */
class BackendDrillTest {
    static final String NAME = "backend-5xx-and-stall";

    @Test
    void backendDrill_intactHolds_andWithoutRetriesDoesNot() throws Exception {
        String text = ShippedDrillsTest.text(NAME);
        assertThat(text).contains("max_attempts: 5");

        CompletableFuture<DrillResult> intact = CompletableFuture.supplyAsync(() -> run(text));
        CompletableFuture<DrillResult> broken = CompletableFuture.supplyAsync(() -> run(text.replace("max_attempts: 5", "max_attempts: 1")));

        DrillResult held = intact.join();
        assertThat(held.probes()).allSatisfy(p -> assertThat(p.passed()).as(p.probe().name() + " measured " + p.measured()).isTrue());
        assertThat(held.holds()).isTrue();
        assertThat(held.score()).isEqualTo(100.0);
        assertThat(held.accounting().accepted()).as("the drill sent load").isGreaterThan(100);
        assertThat(held.accounting().lost()).isZero();
        assertThat(held.accounting().completedTwice()).isZero();
        assertThat(held.accounting().completed()).isEqualTo(held.accounting().accepted());
        assertThat(held.log()).as("both faults were injected and cleared")
                .anySatisfy(l -> assertThat(l.action() + " " + l.observed()).contains("status=503"))
                .anySatisfy(l -> assertThat(l.action() + " " + l.observed()).contains("timeout=1"));

        DrillResult failed = broken.join();
        assertThat(failed.holds()).isFalse();
        assertThat(failed.score()).isLessThan(100.0);
        assertThat(failed.accounting().deadLettered()).as("one attempt: what meets the failing server dead-letters").isPositive();
    }

    @Test
    void backendDrill_onTheVirtualClock_isRefusedWithWhy() throws IOException {
        Drill drill = DrillReader.read(NAME + ".yaml", ShippedDrillsTest.text(NAME));

        assertThatThrownBy(() -> new DrillRunner(drill).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("target.backends: real servers answer in real time");
    }

    @Test
    void backends_badServer_isRefusedFieldPrecisely() {
        String text = """
                name: x
                description: x
                hypothesis: x
                target:
                  backends: {servers: {A: "ftp://x"}, slots: 0}
                probes:
                  - {name: nothing lost, metric: tasks_lost, max: 0}
                steps:
                  - wait: 1s
                """;

        assertThatThrownBy(() -> DrillReader.read("x.yaml", text))
                .hasMessageContaining("target.backends.servers")
                .hasMessageContaining("a server's name is 1-32 of a-z, 0-9 and '-' (not redis), got 'A'")
                .hasMessageContaining("server A: must be an http(s) base URL, got 'ftp://x'")
                .hasMessageContaining("target.backends.slots");
    }

    /** Runs the drill against two fresh real servers streaming 8 tokens (first after 20 ms, then every 5 ms). */
    private static DrillResult run(String text) {
        try (FakeOpenAiServer a = new FakeOpenAiServer(); FakeOpenAiServer b = new FakeOpenAiServer()) {
            a.byDefault(Script.tokens(8).delays(20, 5));
            b.byDefault(Script.tokens(8).delays(20, 5));
            String drill = text.replace("http://127.0.0.1:8001", a.url()).replace("http://127.0.0.1:8002", b.url());
            return DrillRunner.realtime(DrillReader.read(NAME + ".yaml", drill), control -> { }).run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
