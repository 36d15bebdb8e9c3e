package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.FieldError;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Admission through the engine: validation, executor limits and idempotent resubmission. */
class EngineAdmissionTest {
    private final SimHarness sim = SimHarness.oneAtATime("priority");
    private final Engine engine = sim.engine();

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    void submit_invalidSpec_futureFailsWithEveryErrorAndNothingIsQueued() {
        sim.pause(true);
        TaskSpec spec = new TaskSpec("t1", SimHarness.MODEL, "hi", 12, null, null, null, null, 0, null, null);

        Throwable failure = failureOf(engine.send(new Command.Submit(spec)));

        assertThat(failure).isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.errors()).containsExactly(
                new FieldError("priority", "priority must be between 0 and 9, got 12"),
                new FieldError("max_tokens", "max_tokens must be between 1 and 1000000, got 0")));
        EngineSnapshot snapshot = sim.snapshot();
        assertThat(snapshot.queued()).isZero();
        assertThat(snapshot.counters().submitted()).isZero();
        assertThat(snapshot.counters().rejected()).isEqualTo(1);
        assertThat(engine.send(new Command.FindTask("t1")).join()).isEmpty();
    }

    @Test
    void submit_unknownModel_rejectedOnFieldModel() {
        sim.pause(true);
        TaskSpec spec = TaskSpec.of("gpt-17", "hi", 1, 8).withTaskId("t1");

        Throwable failure = failureOf(engine.send(new Command.Submit(spec)));

        assertThat(failure).isInstanceOfSatisfying(InvalidTaskException.class, e -> {
            assertThat(e.errors()).singleElement().extracting(FieldError::field).isEqualTo("model");
            assertThat(e.errors().getFirst().message()).contains("'gpt-17'").contains("llama-2-7b");
        });
        assertThat(sim.snapshot().queued()).isZero();
        assertThat(sim.snapshot().counters().rejected()).isEqualTo(1);
    }

    @Test
    void submit_promptPlusMaxTokensAboveKvCapacity_rejectedOnFieldMaxTokens() {
        sim.pause(true);
        // The simulated H100 holds 120,000 tokens of KV cache.
        TaskSpec spec = SimHarness.spec("big", 1, 119_000, 1_001);

        Throwable failure = failureOf(engine.send(new Command.Submit(spec)));

        assertThat(failure).isInstanceOfSatisfying(InvalidTaskException.class, e -> {
            assertThat(e.errors()).singleElement().extracting(FieldError::field).isEqualTo("max_tokens");
            assertThat(e.errors().getFirst().message()).contains("120001").contains("120000");
        });
        assertThat(sim.snapshot().queued()).isZero();
        assertThat(sim.snapshot().counters().rejected()).isEqualTo(1);
    }

    /** Why: the refusal named max_tokens, which the client never sent; the input is what to shorten. */
    @Test
    void submit_anInputTooLongForTheKvCache_withoutMaxTokens_isAnErrorOnInput() {
        TaskSpec spec = new TaskSpec("long", SimHarness.MODEL, "A".repeat(500_000), 0, null, null, null, null, null, null, null);

        assertThat(failureOf(engine.send(new Command.Submit(spec)))).isInstanceOfSatisfying(InvalidTaskException.class,
                e -> assertThat(e.errors().getFirst().field()).isEqualTo("input"));
    }

    @Test
    void submit_promptPlusMaxTokensExactlyKvCapacity_acceptedAndRuns() {
        SubmitResult result = engine.send(new Command.Submit(SimHarness.spec("fits", 1, 119_000, 1_000))).join();

        assertThat(result.created()).isTrue();
        sim.runUntilAllFinished();
        assertThat(sim.task("fits").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void submit_noMaxTokensAndPromptLeavingNoRoomForTheDefaultOutput_rejectedInsteadOfBlockingTheQueue() {
        // Without max_tokens a task generates 256 tokens and reserves prompt + 256 of KV cache:
        // 119,900 + 256 can never fit in 120,000, on any instance.
        TaskSpec spec = new TaskSpec("huge", SimHarness.MODEL, "x", 0, null, null, null, null, null, 119_900, null);

        CompletableFuture<SubmitResult> future = engine.send(new Command.Submit(spec));
        sim.submit("small", 5, 10, 2);
        sim.runUntil(SimHarness.millis(10_000));

        assertThat(failureOf(future)).isInstanceOfSatisfying(InvalidTaskException.class,
                e -> assertThat(e.errors()).singleElement().isEqualTo(new FieldError("prompt_tokens", // the field sent: not max_tokens
                        "prompt_tokens + max_tokens = 120156 exceeds the KV cache of model 'llama-2-7b' (120000 tokens)"
                                + " (max_tokens not given: 256 assumed)")));
        assertThat(sim.task("small").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void submit_traceOutputLongerThanKvAllows_rejectedInsteadOfBlockingTheQueue() {
        // A trace replay generates exactly the given output, whatever max_tokens says, so the
        // KV reservation is prompt + that output: 100,000 + 30,000 > 120,000.
        CompletableFuture<SubmitResult> future = engine.send(new Command.Submit(SimHarness.spec("replayed", 0, 100_000, 10), 30_000));
        sim.submit("small", 5, 10, 2);
        sim.runUntil(SimHarness.millis(10_000));

        assertThat(failureOf(future)).isInstanceOf(InvalidTaskException.class);
        assertThat(sim.task("small").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(sim.snapshot().counters().rejected()).isEqualTo(1);
    }

    @Test
    void submit_sameIdSameBody_answersCreatedFalseAndQueuesNothingNew() {
        sim.pause(true);
        TaskSpec spec = new TaskSpec("dup", SimHarness.MODEL, "Hello", null, null, null, null, null, 8, null, null);

        SubmitResult first = engine.send(new Command.Submit(spec)).join();
        SubmitResult second = engine.send(new Command.Submit(spec)).join();

        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.task().id()).isEqualTo("dup");
        assertThat(second.task().sequence()).isEqualTo(first.task().sequence());
        EngineSnapshot snapshot = sim.snapshot();
        assertThat(snapshot.queued()).isEqualTo(1);
        assertThat(snapshot.counters().submitted()).isEqualTo(1);
        assertThat(snapshot.counters().rejected()).isZero();
    }

    /** Why: a client that fills in the default priority when it retries got 409, against docs/durability.md. */
    @Test
    void submit_withoutPriorityRules_noPriorityAndTheDefaultPriority_areTheSameRequest_eitherOrder() {
        sim.pause(true);
        TaskSpec without = new TaskSpec("p1", SimHarness.MODEL, "Hello", null, null, null, null, null, 8, null, null);
        TaskSpec withDefault = new TaskSpec("p1", SimHarness.MODEL, "Hello", TaskSpec.DEFAULT_PRIORITY, null, null, null, null, 8, null, null);
        TaskSpec reverse = new TaskSpec("p2", SimHarness.MODEL, "Hello", TaskSpec.DEFAULT_PRIORITY, null, null, null, null, 8, null, null);

        assertThat(engine.send(new Command.Submit(without)).join().created()).isTrue();
        assertThat(engine.send(new Command.Submit(withDefault)).join().created()).isFalse();
        assertThat(engine.send(new Command.Submit(reverse)).join().created()).isTrue();
        assertThat(engine.send(new Command.Submit(new TaskSpec("p2", SimHarness.MODEL, "Hello", null, null, null, null, null, 8,
                null, null))).join().created()).isFalse();
        assertThat(failureOf(engine.send(new Command.Submit(without.withPriority(6))))).isInstanceOf(TaskConflictException.class);
        assertThat(sim.snapshot().queued()).isEqualTo(2);
    }

    @Test
    void submit_sameIdAfterCompletion_stillAnswersCreatedFalse() {
        TaskSpec spec = SimHarness.spec("done", 2, 10, 3);
        engine.send(new Command.Submit(spec)).join();
        sim.runUntilAllFinished();

        SubmitResult again = engine.send(new Command.Submit(spec)).join();

        assertThat(again.created()).isFalse();
        assertThat(again.task().state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(sim.snapshot().counters().submitted()).isEqualTo(1);
    }

    @Test
    void submit_sameIdDifferentBody_failsWithConflictAndKeepsTheFirst() {
        sim.pause(true);
        engine.send(new Command.Submit(SimHarness.spec("dup", 2, 10, 8))).join();

        Throwable failure = failureOf(engine.send(new Command.Submit(SimHarness.spec("dup", 3, 10, 8))));

        assertThat(failure).isInstanceOf(TaskConflictException.class).hasMessageContaining("'dup'");
        assertThat(sim.task("dup").priority()).isEqualTo(2);
        EngineSnapshot snapshot = sim.snapshot();
        assertThat(snapshot.queued()).isEqualTo(1);
        assertThat(snapshot.counters().rejected()).isEqualTo(1);
    }

    @Test
    void submit_noTaskId_getsOneFromTheIdSupplier() {
        sim.pause(true);

        SubmitResult result = engine.send(new Command.Submit(TaskSpec.of(SimHarness.MODEL, "abc", 4, 8))).join();

        assertThat(result.task().id()).isEqualTo("gen-0");
        assertThat(result.task().spec().promptTokens()).isEqualTo(1);
        assertThat(sim.task("gen-0").state()).isEqualTo(TaskState.QUEUED);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("future did not fail");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void submit_deadlineCenturiesAway_acceptedWithASaturatedDeadline() {
        TaskSpec spec = new TaskSpec("far", SimHarness.MODEL, "hi", 3, null, null, null,
                java.time.Instant.ofEpochSecond(11_019_147_052L), 8, null, null);

        SubmitResult result = engine.send(new Command.Submit(spec)).join();

        assertThat(result.created()).isTrue();
        sim.runUntilAllFinished();
        assertThat(engine.send(new Command.FindTask("far")).join().orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
    }
}
