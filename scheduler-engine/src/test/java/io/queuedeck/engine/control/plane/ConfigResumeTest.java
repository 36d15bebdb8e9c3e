package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config versions kept in the data directory (decision 0105): a restart over the same file resumes
 * the version that ran last, with its number and history; a file changed while stopped runs as the
 * next version; a canary that ran is ended, saying so. Each "restart" is a new engine and plane over
 * the same directory; the process-level proof is {@code ConfigSurvivesRestartProcessTest}.
 */
class ConfigResumeTest {
    private static final String FILE = ConfigPlaneTest.V1;
    private static final String EDF = FILE.replace("name: priority", "name: edf");
    private static final String MLFQ = FILE.replace("name: priority", "name: mlfq");

    @TempDir
    Path dir;
    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void stop() {
        engines.forEach(Engine::close);
    }

    /** A start of the engine over {@code fileText}, resuming what {@link #dir} keeps. */
    private ConfigPlane start(String fileText) {
        ReleaseClassifier classifier = new ReleaseClassifier(TestConfigs.parse(fileText).priorityRules());
        Engine engine = Engine.builder().clock(new VirtualClock())
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100))
                .policy(TestConfigs.parse(fileText).policy().name()).classifier(classifier).build();
        engines.add(engine);
        engine.start();
        ConfigPlane plane = ConfigPlaneTest.plane(engine, classifier, fileText);
        plane.resume(dir);
        return plane;
    }

    /** The policy the engine of the {@code start}-th start (from 0) runs. */
    private String policy(int start) {
        return engines.get(start).send(new Command.TakeSnapshot()).join().policy();
    }

    @SuppressWarnings("unchecked")
    private static List<ConfigPlane.Version> history(ConfigPlane plane) {
        return (List<ConfigPlane.Version>) ((Map<String, Object>) plane.history()).get("versions");
    }

    @Test
    void aVersionAppliedOverTheApi_runsAgainAfterARestart_withItsNumberAndHistory() {
        ConfigPlane first = start(FILE);
        first.apply(EDF, "PUT /v1/config by admin");
        first.apply(MLFQ, "PUT /v1/config by admin");

        ConfigPlane second = start(FILE);

        assertThat(second.current().version()).isEqualTo(3);
        assertThat(second.current().source()).isEqualTo("PUT /v1/config by admin");
        assertThat(policy(1)).isEqualTo("mlfq");
        assertThat(history(second)).extracting(ConfigPlane.Version::version).containsExactly(1, 2, 3);
        assertThat(history(second).get(1).changes()).isNotEmpty();
        assertThat(second.lastError()).isNull();
        // and a rollback reaches a version from before the restart
        second.rollback(2, "test");
        assertThat(policy(1)).isEqualTo("edf");
        assertThat(second.current().version()).isEqualTo(4);
    }

    /** 34 versions of a megabyte each ran a 512 MB heap out, and the file they left did so at every start. */
    @Test
    void largeVersions_keepTheHistoryWithinItsBudget_andARestartResumesTheLast() throws Exception {
        ConfigPlane first = start(FILE);
        String padding = "\n# " + "x".repeat(600_000) + "\n"; // a comment: the text is large, what it says small
        for (int i = 0; i < 12; i++) {
            first.apply((i % 2 == 0 ? EDF : MLFQ) + padding + "# " + i + "\n", "PUT /v1/config by admin");
        }

        List<ConfigPlane.Version> kept = history(first);
        assertThat(kept.getLast().version()).isEqualTo(13);
        assertThat(kept.stream().mapToLong(v -> 3L * v.text().length()).sum())
                .isLessThanOrEqualTo(ConfigPlane.KEPT_CHARS);
        assertThat(kept.size()).isBetween(2, 5);
        assertThat(java.nio.file.Files.size(dir.resolve(SavedConfig.FILE_NAME))).isLessThan(ConfigPlane.KEPT_CHARS);

        ConfigPlane second = start(FILE);
        assertThat(second.current().version()).isEqualTo(13);
        assertThat(policy(1)).isEqualTo("mlfq");
        second.rollback(kept.getFirst().version(), "test"); // the oldest kept still reads
        assertThat(second.lastError()).isNull();
    }

    /** Read whole, a history file from before the budget ran the heap out at every start. */
    @Test
    void aHistoryFileTooLargeToBeOurs_isSetAside_andTheConfigFileRuns() throws Exception {
        java.nio.file.Path file = dir.resolve(SavedConfig.FILE_NAME);
        java.nio.file.Files.write(file, new byte[(int) ConfigPlane.MAX_SAVED_BYTES + 1]);

        ConfigPlane plane = start(FILE);

        assertThat(plane.current().version()).isEqualTo(1);
        try (var aside = java.nio.file.Files.list(dir)) {
            assertThat(aside.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(SavedConfig.FILE_NAME + ".unreadable-"));
        }
    }

    @Test
    void withoutAnyChange_aRestartKeepsVersionOne() {
        start(FILE);
        ConfigPlane second = start(FILE);
        assertThat(second.current().version()).isEqualTo(1);
        assertThat(history(second)).hasSize(1);
        assertThat(policy(1)).isEqualTo("priority");
    }

    @Test
    void aFileChangedWhileStopped_runsAsTheNextVersion_andSaysSo() {
        ConfigPlane first = start(FILE);
        first.apply(EDF, "PUT /v1/config by admin");

        ConfigPlane second = start(MLFQ);

        assertThat(second.current().version()).isEqualTo(3);
        assertThat(second.current().source()).isEqualTo("q.yaml (changed while stopped)");
        assertThat(second.current().label()).contains("policy.name");
        assertThat(policy(1)).isEqualTo("mlfq");
        assertThat(history(second)).extracting(ConfigPlane.Version::version).containsExactly(1, 2, 3);
        // the next restart over the same file resumes that version, not a fourth
        ConfigPlane third = start(MLFQ);
        assertThat(third.current().version()).isEqualTo(3);
    }

    /**
     * A version applied over the API, then the watched file changed in a setting that needs a restart
     * (refused while running, as documented): at the next start the file runs. Why was worded as a live
     * reload ("cannot change while the engine runs; restart to apply it") at the restart itself.
     */
    @Test
    void aVersionMadeBeforeTheFileChangedARestartSetting_isNotResumed_andTheStartUpSaysWhy() {
        String file = FILE + "server:\n  port: 9090\n";
        String edited = file.replace("9090", "9091");
        ConfigPlane first = start(file);
        first.apply(EDF + "server:\n  port: 9090\n", "PUT /v1/config by admin");
        first.fileChanged(edited, "q.yaml");
        assertThat(first.lastError().problems().getFirst()).contains("cannot change while the engine runs"); // live: as before

        ConfigPlane second = start(edited);

        assertThat(second.current().version()).isEqualTo(3);
        assertThat(second.current().text()).isEqualTo(edited);
        assertThat(second.lastError().source()).isEqualTo("restart");
        assertThat(second.lastError().problems()).containsExactly("version 2 ran before the restart but was not resumed, so the"
                + " config file runs as version 3: version 2: server.port is 9090 here but 9091 in the config file, and a"
                + " setting that needs a restart is the file's at start-up (line 6)");
    }

    @Test
    void aRunningCanary_isEndedByTheRestart_andTheCanarySaysSo() {
        ConfigPlane first = start(FILE);
        first.startCanary(new ConfigService.CanaryRequest(TextNode.valueOf(EDF), null, 0.5, null, null), "PUT /v1/canary by ops");

        ConfigPlane second = start(FILE);

        CanaryControl.Status canary = (CanaryControl.Status) second.canary();
        assertThat(canary.running()).isFalse();
        assertThat(canary.lastEnded().reason()).contains("ended by a restart").contains("PUT /v1/canary by ops");
        assertThat(engines.get(1).audit().find(new io.queuedeck.engine.audit.AuditQuery(null, null, "canary.rollback", null, null, 0, 10))
                .entries()).anySatisfy(entry -> {
            assertThat(entry.action()).isEqualTo("canary.rollback");
            assertThat(entry.detail()).contains("ended by a restart");
        });
        // new tasks are all the running release's again
        engines.get(1).send(new Command.Submit(new TaskSpec("t1", "m", "hi", null, null, null, null, null, 8, 1, null))).join();
        assertThat(engines.get(1).send(new Command.FindTask("t1")).join().orElseThrow().spec().classification().release())
                .isEqualTo(TaskSpec.Classification.STABLE);
        // and the one after it does not say so again
        ConfigPlane third = start(FILE);
        assertThat(((CanaryControl.Status) third.canary()).lastEnded()).isNull();
    }

    @Test
    void anUnreadableFile_isSetAside_andTheConfigFileRuns() throws Exception {
        Files.writeString(dir.resolve(SavedConfig.FILE_NAME), "{\"versions\": [ {\"version\": ");

        ConfigPlane plane = start(FILE);

        assertThat(plane.current().version()).isEqualTo(1);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(SavedConfig.FILE_NAME + ".unreadable-"));
        }
        plane.apply(EDF, "test");
        assertThat(start(FILE).current().version()).isEqualTo(2); // kept again from then on
    }

    @Test
    void theKeptFile_isReadableByItsOwnerOnly_forItHoldsConfigTexts() throws Exception {
        start(FILE).apply(EDF, "test");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SavedConfig.FILE_NAME))))
                .isEqualTo("rw-------");
    }
}
