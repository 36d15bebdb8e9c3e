package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The serve subcommand refuses what it must, with one clear line and exit code 2, before binding anything. */
class ServeCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine line = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int exit = line.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void serve_nonLoopbackHostWithoutToken_refusesToStart() {
        Run run = run("serve", "--host", "0.0.0.0", "--port", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: refusing to bind the API to 0.0.0.0 without a bearer token");
        assertThat(run.out()).doesNotContain("listening");
    }

    @Test
    void serve_badInstanceCount_isRefused() {
        Run run = run("serve", "--instances", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--instances must be at least 1");
    }

    @Test
    void serve_missingTokenFile_isRefused() {
        Run run = run("serve", "--host", "0.0.0.0", "--token-file", "/nonexistent/token");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("cannot read --token-file");
    }

    @Test
    void serve_badThreadsChoice_isRefused() {
        Run run = run("serve", "--threads", "green");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--threads must be virtual, platform or auto");
    }

    @Test
    void threads_autoMeansVirtualFromJdk24() {
        assertThat(ServeCommand.useVirtualThreads("auto")).isEqualTo(Runtime.version().feature() >= 24);
        assertThat(ServeCommand.useVirtualThreads("virtual")).isTrue();
        assertThat(ServeCommand.useVirtualThreads("PLATFORM")).isFalse();
    }

    @Test
    void help_listsServe() {
        assertThat(run("--help").out()).contains("serve");
    }
}
