package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code drill FILE --report DIR}: exit 0 when the hypothesis holds, 1 when not, 2 for a bad file; the report's files. */
class DrillCommandTest {
    private static final String DRILL = """
            name: short-crash
            description: one GPU of two crashes at 40% load
            hypothesis: nothing is lost and nothing is dead-lettered
            target: {gpus: 2, load: 0.4, seed: 5}
            steady_state: 20s
            recovery_window: 20s
            observe: 20s
            probes:
              - {name: no dead letters, metric: dead_letters, max: 0, mode: continuous}
              - {name: nothing lost, metric: tasks_lost, max: 0}
            steps:
              - inject: {kind: crash, target: "instance:0"}
              - wait: 20s
            """;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = Main.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void holds_exit0_andWritesTheReport(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("d.yaml"), DRILL);

        Run run = run("drill", file.toString(), "--report", dir.resolve("report").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("short-crash: hypothesis holds (resilience score 100.0)");
        for (String name : new String[] {"report.md", "report.html", "queue.png", "latency.png"}) {
            assertThat(dir.resolve("report").resolve(name)).isNotEmptyFile();
        }
        String markdown = Files.readString(dir.resolve("report/report.md"));
        assertThat(markdown).contains("## Hypothesis", "## Verdict per probe", "## Run log", "## Findings",
                "| nothing lost | tasks_lost", "inject f-1", "crash on instance:0");
        assertThat(Files.readString(dir.resolve("report/report.html"))).contains("<img src=\"queue.png\"");
    }

    @Test
    void doesNotHold_exit1(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("d.yaml"), DRILL.replace("seed: 5}", "seed: 5, max_attempts: 1}"));

        Run run = run("drill", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).containsPattern("FAIL +no dead letters").contains("hypothesis does not hold");
    }

    @Test
    void badFile_exit2_everyProblemWithItsLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("d.yaml"), DRILL.replace("max: 0, mode: continuous", "mode: always")
                .replace("kind: crash", "kind: crush"));

        Run run = run("drill", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error: d.yaml: probes[0] needs max or min").contains("(line 9)")
                .contains("error: d.yaml: probes[0].mode must be one of before, during, after, continuous, got 'always' (line 9)")
                .contains("error: d.yaml: steps[0].inject.kind unknown fault 'crush'").contains("(line 12)");
    }

    @Test
    void missingFile_exit2_namingThePath(@TempDir Path dir) {
        Path file = dir.resolve("nowhere.yaml");

        Run run = run("drill", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: cannot read drill file " + file + ": no such file");
    }

    @Test
    void yamlSyntaxError_exit2_withItsLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("d.yaml"), DRILL.replace("steady_state: 20s", "steady_state: [20s"));

        Run run = run("drill", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: d.yaml").contains("line ");
    }

    @Test
    void reportDirThatIsAFile_exit2_beforeTheRun(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("d.yaml"), DRILL);
        Path notADir = Files.writeString(dir.resolve("report"), "a file");

        Run run = run("drill", file.toString(), "--report", notADir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--report: " + notADir + " is a file, not a directory");
        assertThat(run.out()).as("refused before the drill runs").doesNotContain("hypothesis");
    }
}
