package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EventSubscription;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Versions of the running config on a virtual clock: apply, refuse whole, roll back. */
class ConfigPlaneTest {
    static final String V1 = """
            policy:
              name: priority
            priority_rules:
              - {name: payments, match: {business_class: payment_processing}, priority: 1}
            """;

    private VirtualClock clock;
    private Engine engine;
    private ReleaseClassifier classifier;
    private ConfigPlane plane;
    private EventSubscription events;

    static ConfigPlane plane(Engine engine, ReleaseClassifier classifier, String text) {
        return new ConfigPlane(engine, classifier, parse(text), text, "q.yaml", Path.of("."), Map.<String, String>of()::get,
                "priority");
    }

    private static ServeConfig parse(String text) {
        return TestConfigs.parse(text);
    }

    @BeforeEach
    void start() {
        clock = new VirtualClock();
        classifier = new ReleaseClassifier(parse(V1).priorityRules());
        engine = Engine.builder().clock(clock).executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100))
                .policy("priority").classifier(classifier).build();
        events = engine.subscribe(1_000);
        engine.start();
        plane = plane(engine, classifier, V1);
    }

    @AfterEach
    void stop() {
        events.close();
        engine.close();
    }

    private TaskSpec submit(String id, String businessClass) {
        engine.send(new Command.Submit(new TaskSpec(id, "m", "hi", null, null, null, businessClass, null, 8, 1, null))).join();
        return engine.send(new Command.FindTask(id)).join().orElseThrow().spec();
    }

    private List<EngineEvent.ConfigApplied> applied() {
        List<EngineEvent.ConfigApplied> out = new ArrayList<>();
        events.drain(1_000, e -> {
            if (e instanceof EngineEvent.ConfigApplied a) {
                out.add(a);
            }
        });
        return out;
    }

    @Test
    void validChange_appliesWithoutRestart_withAVersionBump_anEvent_andADiff() {
        ConfigPlane.Status status = plane.apply("""
                policy:
                  name: edf
                priority_rules:
                  - {name: payments, match: {business_class: payment_processing}, priority: 2}
                """, "PUT /v1/config by admin");

        assertThat(status.version()).isEqualTo(2);
        assertThat(status.source()).isEqualTo("PUT /v1/config by admin");
        assertThat(status.lastError()).isNull();
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("edf");
        assertThat(submit("a", "payment_processing").priority()).isEqualTo(2); // new rules for new tasks
        assertThat(applied()).extracting(EngineEvent.ConfigApplied::version).containsExactly(2);
        ConfigPlane.Version v2 = plane.current();
        assertThat(v2.changes()).extracting(ConfigDiff.Change::path).containsExactly("policy.name", "priority_rules");
        assertThat(v2.label()).startsWith("policy.name → edf");
    }

    @Test
    void invalidChange_isRefusedWhole_everyProblemWithPathAndLine_andTheRunningConfigStays() {
        assertThatThrownBy(() -> plane.apply("""
                policy:
                  name: edf
                priority_rules:
                  - {name: payments, priority: 12}
                server:
                  port: 9090
                """, "PUT /v1/config"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.problems()).containsExactly(
                            "PUT /v1/config: priority_rules[0].priority must be between 0 and 9, got 12 (line 4)",
                            "PUT /v1/config: server.port cannot change while the engine runs; restart to apply it"
                                    + " (reloadable: policy, priority_rules, tiers, tenants.weights, alerts) (line 6)");
                });
        assertThatThrownBy(() -> plane.apply("policy: {name: edf}\nserver:\n  port: 9090\n", "PUT /v1/config"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.problems()).containsExactly(
                        "PUT /v1/config: server.port cannot change while the engine runs (default → 9090); restart to apply"
                                + " it (reloadable: policy, priority_rules, tiers, tenants.weights, alerts) (line 3)"));

        assertThat(plane.status().version()).isEqualTo(1);
        assertThat(plane.status().lastError().problems()).hasSize(1);
        assertThat(plane.status().reloadable()).containsExactly("policy", "priority_rules", "tiers", "tenants.weights", "alerts");
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("priority");
        assertThat(submit("a", "payment_processing").priority()).isEqualTo(1);
        assertThat(applied()).isEmpty();
    }

    /** 60,000 problems made an 8.5 MB answer and as much log; a value quoted whole, 900 KB in every answer after. */
    @Test
    void manyProblems_areListedUpToAHundred_andCounted_eachShortened() {
        StringBuilder rules = new StringBuilder("priority_rules:\n");
        for (int i = 0; i < 150; i++) {
            rules.append("  - {name: r").append(i).append(", priority: 12}\n");
        }
        assertThatThrownBy(() -> plane.apply(rules.toString(), "PUT /v1/config"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> {
                    assertThat(e.problems()).hasSize(101);
                    assertThat(e.problems().getLast()).isEqualTo("… and 50 more problems");
                });
        assertThatThrownBy(() -> plane.apply("policy: {name: " + "x".repeat(900_000) + "}\n", "PUT /v1/config"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e ->
                        assertThat(e.problems()).allSatisfy(p -> assertThat(p).hasSizeLessThanOrEqualTo(300)));
        assertThat(plane.status().lastError().problems()).allSatisfy(p -> assertThat(p).hasSizeLessThanOrEqualTo(300));
    }

    @Test
    void aKeyLeftOut_ofASectionThatNeedsARestart_isNoChange() {
        ConfigPlane full = plane(engine, classifier, ServeConfig.defaultText()); // server.host, port, … written out

        // 13 problems such as "server.host cannot change while the engine runs (127.0.0.1 → default)"
        assertThat(full.apply("policy: {name: edf}\n", "console").version()).isEqualTo(2);
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("edf");
        assertThatThrownBy(() -> full.apply("policy: {name: edf}\nserver: {port: 9090}\n", "console"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains("server.port cannot change while the engine runs (8080 → 9090)"));
    }

    @Test
    void sameConfigAgain_isNoNewVersion() {
        assertThat(plane.apply(V1 + "\n# a comment\n", "file").version()).isEqualTo(1);
    }

    /** A touch of the unchanged file (or a deploy writing the same bytes) applied it again, undoing the PUT since. */
    @Test
    void theFileReadAgainUnchanged_isNoNewVersion_andKeepsWhatWasAppliedOverTheApi() {
        plane.apply("policy: {name: fifo}\n", "PUT /v1/config");

        plane.fileChanged(V1, "queuedeck.yaml");

        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");
        plane.fileChanged(V1.replace("name: priority", "name: edf"), "queuedeck.yaml"); // an edit of the file still applies
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("edf");
    }

    /** The policy of a live server changed with no entry in the audit trail: only the API's changes had one. */
    @Test
    void anEditOfTheFile_isAudited_asTheFilesChange() {
        plane.fileChanged(V1.replace("name: priority", "name: edf"), "/etc/queuedeck.yaml");
        plane.fileChanged(V1.replace("name: priority", "name: edf"), "/etc/queuedeck.yaml"); // the same again: no version

        engine.audit().awaitWritten(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
        var entries = engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries();
        assertThat(entries).filteredOn(e -> e.action().equals("config.apply")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("file:/etc/queuedeck.yaml");
            assertThat(e.target()).isEqualTo("config version 2");
        });
    }

    @Test
    void rollback_appliesAnEarlierVersionAsANewOne() {
        plane.apply("policy: {name: fifo}\n", "PUT /v1/config");
        ConfigPlane.Status status = plane.rollback(1, "POST /v1/config/rollback/1");
        assertThat(status.version()).isEqualTo(3);
        assertThat(plane.current().label()).isEqualTo("rollback to version 1");
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("priority");
        assertThat(submit("a", "payment_processing").priority()).isEqualTo(1);
        assertThatThrownBy(() -> plane.rollback(9, "x")).isInstanceOfSatisfying(ConfigService.Refused.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    /** A rollback that would apply nothing is told before it is asked for: the console offered one that changed "no change". */
    @Test
    void readsAsRunning_theRunningConfigAgainInAnyLayout_notAnotherOrOneNotKept() {
        plane.apply("policy: {name: fifo}\n", "PUT /v1/config");
        plane.apply(V1 + "# as it shipped\n", "PUT /v1/config");

        assertThat(plane.current().version()).isEqualTo(3);
        assertThat(plane.readsAsRunning(3)).isTrue();
        assertThat(plane.readsAsRunning(1)).as("version 1's text but for a comment").isTrue();
        assertThat(plane.readsAsRunning(2)).isFalse();
        assertThat(plane.readsAsRunning(9)).isFalse();
    }

    private TaskView submitBatch(String id, String tenant) {
        try {
            return engine.send(new Command.Submit(new TaskSpec(id, "m", "hi", 8, null, tenant, null, null, 2_000, 1, null), 2_000))
                    .join().task();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private FlowStats.TierFlow batch() {
        return engine.send(new Command.TakeSnapshot()).join().flow().tiers().get(Tier.BATCH.index());
    }

    private String state(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow().state().name();
    }

    /**
     * Tier limits and tenant weights are reloadable: a cap raised starts more of what waits, in the
     * order it waited; a max_queue lowered below what waits drops nothing and refuses only new work;
     * fairness and weights turned on move the waiting tasks to per-tenant queues without losing one.
     */
    @Test
    void tiersAndWeights_reloadLive_newLimitsApplyToNewDispatches_queuedWorkStays() {
        String capped = V1 + "tiers:\n  batch: {max_concurrency: 1}\n";
        assertThat(plane.apply(capped, "PUT /v1/config").version()).isEqualTo(2);
        for (int i = 0; i < 4; i++) {
            submitBatch("b" + i, "acme");
        }
        assertThat(batch().running()).isEqualTo(1);
        assertThat(batch().waiting()).isEqualTo(3);

        plane.apply(V1 + "tiers:\n  batch: {max_concurrency: 1, max_queue: {tasks: 1}}\n", "PUT /v1/config");
        assertThat(batch().waiting()).isEqualTo(3); // nothing queued is dropped
        assertThatThrownBy(() -> submitBatch("late", "acme")).isInstanceOfSatisfying(ShedException.class,
                e -> assertThat(e.limit()).isEqualTo("tiers.batch.max_queue.tasks"));

        plane.apply(V1 + "tiers:\n  batch: {max_concurrency: 3, fairness: round_robin}\ntenants:\n  weights: {acme: 2}\n",
                "PUT /v1/config");
        assertThat(plane.status().version()).isEqualTo(4);
        assertThat(plane.status().lastError()).isNull();
        assertThat(batch().running()).isEqualTo(3);
        assertThat(batch().waiting()).isEqualTo(1);
        assertThat(state("b1")).isEqualTo("RUNNING"); // in the order they waited
        assertThat(state("b2")).isEqualTo("RUNNING");
        assertThat(state("b3")).isEqualTo("QUEUED");
        assertThat(applied()).extracting(EngineEvent.ConfigApplied::version).containsExactly(2, 3, 4);

        clock.runUntilIdle();
        for (int i = 0; i < 4; i++) {
            assertThat(state("b" + i)).isEqualTo(TaskState.SUCCEEDED.name());
        }
    }

    /** A TTL lengthened while a task waits applies to it: its old timer finds the new TTL and waits out the rest. */
    @Test
    void queueTtl_lengthenedWhileATaskWaits_appliesToIt() {
        plane.apply(V1 + "tiers:\n  batch: {max_concurrency: 1, queue_ttl: 1s}\n", "PUT /v1/config");
        submitBatch("runs", null);
        long admitted = clock.nanos();
        submitBatch("waits", null);
        plane.apply(V1 + "tiers:\n  batch: {max_concurrency: 1, queue_ttl: 3s}\n", "PUT /v1/config");

        clock.runUntil(admitted + java.time.Duration.ofSeconds(2).toNanos());
        assertThat(state("waits")).isEqualTo("QUEUED"); // the 1 s it was armed with no longer holds
        clock.runUntil(admitted + java.time.Duration.ofSeconds(3).toNanos());
        assertThat(state("waits")).isEqualTo("TIMED_OUT");
    }
}
