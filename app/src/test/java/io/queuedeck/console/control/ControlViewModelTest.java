package io.queuedeck.console.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Control screen's model over a real engine and control plane, its calls run in place
 * (the console runs them on a thread of their own and applies answers on the FX thread).
 */
class ControlViewModelTest {
    static final String RULES = "priority_rules:\n  - name: payments\n    match: {business_class: payment_processing}\n    priority: 1\n";

    private Engine engine;
    private ConfigPlane plane;
    private ControlViewModel model;
    private final List<ControlViewModel.Audited> audited = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        ServeConfig defaults = ServeConfig.defaults(name -> null);
        ReleaseClassifier classifier = new ReleaseClassifier(defaults.priorityRules());
        engine = Engine.builder().executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100)).classifier(classifier)
                .policy("priority").build();
        engine.start();
        plane = new ConfigPlane(engine, classifier, defaults, ServeConfig.defaultText(), "built-in defaults", dir, name -> null,
                "priority");
        model = new ControlViewModel(plane, Runnable::run, Runnable::run, "alice", audited::add);
        model.refresh().join();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    static String withRules(String text) {
        return text.replace("priority_rules: []\n", RULES);
    }

    @Test
    void start_showsTheRunningVersionAndItsText() {
        assertThat(model.versionLineProperty().get()).startsWith("Version 1 ").contains("built-in defaults");
        assertThat(model.editorTextProperty().get()).isEqualTo(ServeConfig.defaultText());
        assertThat(model.lastErrorProperty().get()).isEmpty();
        assertThat(model.history()).extracting(ControlViewModel.HistoryRow::version).containsExactly(1);
    }

    /** A version applied elsewhere (the API, the header's policy box) shows in an editor nobody edited. */
    @Test
    void versionAppliedElsewhere_theUneditedEditorFollowsIt() {
        String elsewhere = withRules(ServeConfig.defaultText());
        plane.apply(elsewhere, "api by bob");
        model.refresh().join();

        assertThat(model.editorTextProperty().get()).isEqualTo(elsewhere);
        model.apply().join();
        assertThat(model.messageProperty().get()).isEqualTo("No change: version 2 still runs.");
    }

    /**
     * The editor was never refreshed, and an Apply over a later version undid it without a word
     * (version 4 put back the policy version 3 had changed). Now the first Apply says so and applies
     * nothing; a second one replaces it, as the operator chose.
     */
    @Test
    void editedText_overAVersionAppliedSince_isNotAppliedUntilTheOperatorAppliesAgain() {
        String mine = withRules(ServeConfig.defaultText());
        model.editorTextProperty().set(mine);
        plane.apply(ServeConfig.defaultText().replace("name: priority", "name: fifo"), "api by bob");
        model.refresh().join();
        assertThat(model.editorTextProperty().get()).as("the operator's edit stays").isEqualTo(mine);
        assertThat(model.messageProperty().get()).startsWith("Version 2 (api by bob) came while you edit: Apply would replace it");

        model.apply().join();

        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(model.messageProperty().get()).startsWith("Not applied: your text started from version 1, and version 2 (api by bob) came since.");
        model.apply().join();
        assertThat(plane.current().version()).isEqualTo(3);
        assertThat(plane.current().text()).isEqualTo(mine);
    }

    /** An alerts change from this screen's own Alerts tab was undone by the next Apply of text edited before it. */
    @Test
    void editedText_overAnAlertsChangeMadeHere_isNotAppliedUntilTheOperatorAppliesAgain() {
        String mine = ServeConfig.defaultText().replace("name: priority", "name: fifo");
        model.editorTextProperty().set(mine);
        model.applyText(ServeConfig.defaultText().replace("oldest_wait: 60s", "oldest_wait: 90s"), "alerts applied").join();
        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(model.editorTextProperty().get()).as("the operator's edit stays").isEqualTo(mine);
        assertThat(model.messageProperty().get()).contains("Version 2 is not in the text you are editing: Apply would replace it");

        model.apply().join();

        assertThat(plane.current().version()).as("nothing undone unsaid").isEqualTo(2);
        assertThat(model.messageProperty().get()).startsWith("Not applied: your text started from version 1, and version 2");
    }

    @Test
    void apply_validText_isTheNextVersionWithItsDiffInHistory() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();

        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(model.versionLineProperty().get()).startsWith("Version 2 ").contains("console by alice");
        assertThat(model.history()).extracting(ControlViewModel.HistoryRow::version).containsExactly(2, 1);
        assertThat(model.history().getFirst().diff()).contains("priority_rules");
        assertThat(model.problems()).isEmpty();
        assertThat(audited).containsExactly(new ControlViewModel.Audited("config.apply", 2, "config applied"));
    }

    /**
     * Another client's apply of the same text lands while this Apply waits for the plane: the screen
     * compared versions read around its call, said "Config applied" and audited bob's version 2 as
     * alice's. The plane's own answer says this Apply made nothing.
     */
    @Test
    void anApplyBesideTheSameChangeFromElsewhere_saysNoChange_andIsNotAuditedAsThisOnes() throws Exception {
        String text = withRules(ServeConfig.defaultText());
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "control-background");
            worker.set(thread);
            return thread;
        });
        try {
            ControlViewModel racing = new ControlViewModel(plane, background, Runnable::run, "alice", audited::add);
            racing.refresh().get(10, java.util.concurrent.TimeUnit.SECONDS);
            racing.editorTextProperty().set(text);
            java.util.concurrent.CompletableFuture<Void> applying;
            synchronized (plane) { // the plane serializes changes on itself: alice's waits there while bob's lands
                applying = racing.apply();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> worker.get() != null && worker.get().getState() == Thread.State.BLOCKED);
                plane.apply(text, "api by bob");
            }
            applying.get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(plane.current().version()).isEqualTo(2);
            assertThat(racing.messageProperty().get()).isEqualTo("No change: version 2 still runs.");
            assertThat(audited).isEmpty();
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void aVersionFromElsewhere_clearsTheScreensLastMessage() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();
        assertThat(model.messageProperty().get()).isEqualTo("Config applied.");

        plane.switchPolicy("fifo", java.util.Map.of(), "console by alice"); // the header's policy box
        model.refresh().join();

        assertThat(model.messageProperty().get()).isEmpty();
    }

    @Test
    void apply_theRunningTextAgain_saysNothingChanged_andAuditsNothing() {
        model.apply().join(); // the editor holds the running version's text

        assertThat(plane.current().version()).isEqualTo(1);
        assertThat(model.messageProperty().get()).isEqualTo("No change: version 1 still runs.");
        assertThat(audited).isEmpty();
    }

    @Test
    void aPolicySwitchFromTheHeader_isTheNextVersion_andTheRunningTextNamesIt() {
        plane.switchPolicy("fifo", java.util.Map.of(), "console by alice");
        model.refresh().join();

        assertThat(engine.send(new io.queuedeck.engine.command.Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");
        assertThat(model.versionLineProperty().get()).startsWith("Version 2 ").contains("policy priority → fifo");
        assertThat(model.runningTextProperty().get()).contains("  name: fifo\n").doesNotContain("name: priority")
                .contains("# Bearer tokens"); // the rest of the file, comments too, as it was
        assertThat(model.history().getFirst().diff()).contains("policy.name");
    }

    @Test
    void apply_invalidText_isRefusedWithEveryProblem_andTheRunningVersionStays() {
        model.editorTextProperty().set(ServeConfig.defaultText().replace("policy:\n", "policy:\n  speed: 3\n")
                + "\nserver_x: 1\n");
        model.apply().join();

        assertThat(plane.current().version()).isEqualTo(1);
        assertThat(model.problems()).hasSize(2).anySatisfy(p -> assertThat(p).contains("policy.speed"))
                .anySatisfy(p -> assertThat(p).contains("server_x"));
        assertThat(model.lastErrorProperty().get()).contains("refused").contains("version 1 still runs");
        assertThat(model.messageProperty().get()).contains("Refused (2 problems)");
        assertThat(audited).isEmpty();

        model.revertEditor(); // "Refused (2 problems)" stayed over the running text
        assertThat(model.messageProperty().get()).isEmpty();
        assertThat(model.problems()).isEmpty();
    }

    @Test
    void rollback_appliesTheEarlierTextAsANewVersion() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();
        model.rollback(1).join();

        assertThat(plane.current().version()).isEqualTo(3);
        assertThat(plane.current().text()).isEqualTo(ServeConfig.defaultText());
        assertThat(model.history().getFirst().label()).isEqualTo("rollback to version 1");
    }

    /**
     * Version 3 rolled back to version 1, so version 1's text is what runs: a rollback to 1 or 3 asked
     * "…, changing no change." and applied nothing. Now neither is offered, each row says why, and
     * asked anyway (the running version changed since the row was drawn) the screen answers instead.
     */
    @Test
    void rollback_toAVersionWhoseTextRunsNow_isNotOffered_andSaysWhy() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();
        model.rollback(1).join();
        List<String> asked = new ArrayList<>();

        model.askRollback(1, asked::add);

        assertThat(asked).as("no question for a rollback that changes nothing").isEmpty();
        assertThat(model.messageProperty().get())
                .isEqualTo("Version 1's text is what runs now (version 3): a rollback to it would change nothing.");
        assertThat(model.history()).extracting(ControlViewModel.HistoryRow::version, ControlViewModel.HistoryRow::noRollback)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3, "Version 3 runs now: a rollback to it would change nothing."),
                        org.assertj.core.groups.Tuple.tuple(2, ""),
                        org.assertj.core.groups.Tuple.tuple(1, "Version 1's text is what runs now (version 3): a rollback to it"
                                + " would change nothing."));
        model.askRollback(2, asked::add);
        assertThat(asked).containsExactly("Roll the running config back to version 2? It applies as a new version, changing"
                + " priority_rules.");
    }

    /** A text that differs only in a comment reads as the running config: a rollback to it would change nothing either. */
    @Test
    void rollback_toAVersionThatDiffersOnlyInComments_answersInsteadOfAsking() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();
        model.editorTextProperty().set(ServeConfig.defaultText() + "# the defaults, as shipped\n");
        model.apply().join();
        assertThat(plane.current().version()).isEqualTo(3);
        assertThat(model.history().getLast().noRollback()).as("its text differs: told when asked").isEmpty();
        List<String> asked = new ArrayList<>();

        model.askRollback(1, asked::add);

        assertThat(asked).isEmpty();
        assertThat(model.messageProperty().get()).isEqualTo("Version 1 reads as the config that runs now (version 3; the texts"
                + " differ only in comments, layout or format): a rollback to it would change nothing.");
    }

    /** Version 1 has no version before it, so no diff: the History tab's pane stayed empty. */
    @Test
    void history_firstVersion_showsWhatItIsAndItsWholeText_laterOnesTheirDiff() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();

        assertThat(model.history().getFirst().detail()).isEqualTo(model.history().getFirst().diff()).startsWith("priority_rules");
        assertThat(model.history().getLast().detail()).startsWith("Version 1, the first: nothing came before it. Applied at ")
                .contains(" from built-in defaults; its whole text:\n\n").endsWith(ServeConfig.defaultText());
    }

    /** Why: after a rollback made on this screen, the next Apply of an edited text was refused as "started from version 2". */
    @Test
    void aRollbackMadeHere_isNoVersionFromElsewhere_forTheNextApply() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.apply().join();
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()).replace("    priority: 1\n", "    priority: 2\n"));
        model.rollback(1).join(); // the editor keeps the operator's edit

        model.apply().join();

        assertThat(plane.current().version()).isEqualTo(4);
        assertThat(model.messageProperty().get()).doesNotStartWith("Not applied");
    }

    @Test
    void canary_startShowsBothSides_promoteMakesItTheRunningVersion() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.startCanary(0.25).join();

        assertThat(model.canaryRunningProperty().get()).isTrue();
        assertThat(model.canaryLineProperty().get()).contains("25% of new tasks")
                .contains("not comparable yet: 0 stable and 0 canary tasks finished, 30 a side needed");
        assertThat(model.canaryRows()).extracting(ControlViewModel.CanaryRow::figure)
                .contains("finished", "throughput (tasks/s)", "failed", "shed (refused when queued)", "timed out",
                        "deadline misses");

        model.promoteCanary().join();
        assertThat(model.canaryRunningProperty().get()).isFalse();
        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(plane.current().text()).contains("name: payments");
        assertThat(model.canaryLineProperty().get()).contains("The last one was promoted (console by ");
    }

    @Test
    void canary_refusedStart_saysWhyOnTheCanaryTab() {
        model.editorTextProperty().set("policy: {name: nosuch}\n");
        model.startCanary(0.1).join();

        // the Canary tab said only "No canary runs."; the reason was on the Config tab
        assertThat(model.canaryRunningProperty().get()).isFalse();
        assertThat(model.canaryLineProperty().get()).startsWith("No canary runs. The last start was refused: ").contains("nosuch");
        // not "Refused", under the header's "No change refused": no change of the config was refused
        assertThat(model.messageProperty().get()).startsWith("Canary not started (1 problem)");

        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.startCanary(0.1).join();
        model.rollbackCanary().join();
        assertThat(model.canaryLineProperty().get()).doesNotContain("refused");
    }

    @Test
    void canary_rollback_endsItAndTheRunningVersionStays() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.startCanary(0.1).join();
        model.rollbackCanary().join();

        assertThat(model.canaryRunningProperty().get()).isFalse();
        assertThat(plane.current().version()).isEqualTo(1);
        assertThat(model.canaryLineProperty().get()).startsWith("No canary runs. The last one was rolled back (console by ")
                .doesNotContain("rolled back by");
    }

    /**
     * Another client's change lands between the plane's answer to a canary's rollback and the screen's
     * handling of it: the screen audited the version it read then, bob's 2, as the one alice's canary
     * ran beside. The plane's own answer names version 1.
     */
    @Test
    void aCanaryRollback_withAnotherClientsChangeRightAfter_isAuditedWithTheVersionItRanBeside() {
        java.util.concurrent.atomic.AtomicReference<Runnable> bob = new java.util.concurrent.atomic.AtomicReference<>();
        ControlViewModel racing = new ControlViewModel(plane, Runnable::run, r -> {
            Runnable change = bob.getAndSet(null);
            if (change != null) {
                change.run();
            }
            r.run();
        }, "alice", audited::add);
        racing.refresh().join();
        racing.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        racing.startCanary(0.1).join();
        bob.set(() -> plane.apply(ServeConfig.defaultText().replace("name: priority", "name: fifo"), "api by bob"));

        racing.rollbackCanary().join();

        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(audited).containsExactly(new ControlViewModel.Audited("canary.start", 1, "canary started for 10% of new tasks"),
                new ControlViewModel.Audited("canary.rollback", 1, "canary rolled back"));
    }

    @Test
    void canary_withAnotherPolicy_runsAndPromoteMakesItTheRunningPolicy() {
        // decision 0051: a canary's tasks wait in their own queue ordered by the candidate's policy
        model.editorTextProperty().set(ServeConfig.defaultText().replace("name: priority", "name: fifo"));
        model.startCanary(0.1).join();
        assertThat(model.canaryRunningProperty().get()).isTrue();
        assertThat(model.problems()).isEmpty();

        model.promoteCanary().join();

        assertThat(model.canaryRunningProperty().get()).isFalse();
        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(engine.send(new io.queuedeck.engine.command.Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");
    }

    @Test
    void ruleTester_saysWhichRuleMatchesAndWhy_asRulesTestDoes() {
        model.editorTextProperty().set(withRules(ServeConfig.defaultText()));
        model.ruleTaskProperty().set("{\"business_class\": \"payment_processing\"}");
        model.testRule();

        assertThat(model.ruleResultProperty().get()).contains("1. payments (priority 1): MATCHES")
                .contains("result: priority 1 by rule 'payments'");
    }

    @Test
    void ruleTester_badTask_saysWhatIsWrong() {
        model.ruleTaskProperty().set("{not json");
        model.testRule();

        assertThat(model.ruleResultProperty().get()).startsWith("the task is not a task in JSON");
    }

    @Test
    void load_putsAFileInTheEditor_withoutApplyingIt() throws Exception {
        Path file = dir.resolve("next.yaml");
        Files.writeString(file, withRules(ServeConfig.defaultText()));
        model.load(file).join();

        assertThat(model.editorTextProperty().get()).contains("name: payments");
        assertThat(plane.current().version()).isEqualTo(1);
    }
}
