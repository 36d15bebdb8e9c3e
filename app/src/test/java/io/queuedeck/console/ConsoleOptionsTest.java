package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleOptionsTest {

    @Test
    void parse_noArguments_defaults() {
        ConsoleOptions o = ConsoleOptions.parse(List.of());

        assertThat(o.screenshot()).isEmpty();
        assertThat(o.benchUi()).isEmpty();
        assertThat(o.policy()).isEqualTo("mlfq");
        assertThat(o.load()).isEqualTo(0.9);
        assertThat(o.loadGiven()).isFalse(); // so the load last set in the console runs again
        assertThat(ConsoleOptions.parse(List.of("--load", "0.9")).loadGiven()).isTrue();
    }

    @Test
    void parse_screenshotAfterScreen_allRead() {
        ConsoleOptions o = ConsoleOptions.parse(List.of("--screenshot", "/tmp/x.png", "--after", "5s", "--screen", "gpus"));

        assertThat(o.screenshot()).contains(Path.of("/tmp/x.png"));
        assertThat(o.after()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.screen()).contains(Screen.GPUS);
    }

    @Test
    void usage_namesEveryScreen() {
        String line = ConsoleOptions.USAGE.substring(ConsoleOptions.USAGE.indexOf("--screen"),
                ConsoleOptions.USAGE.indexOf("--policy"));
        for (Screen screen : Screen.values()) {
            assertThat(line).contains(screen.name().toLowerCase(java.util.Locale.ROOT));
            assertThat(Screen.parse(screen.name().toLowerCase(java.util.Locale.ROOT))).isEqualTo(screen);
        }
    }

    @Test
    void stateDirectory_defaultsUnderTheUsersDataHome_givenDirWins_inMemoryAndScreenshotsKeepNone() {
        java.util.function.Function<String, String> env = java.util.Map.of("XDG_DATA_HOME", "/xdg")::get;
        assertThat(ConsoleOptions.parse(List.of()).stateDirectory(env, "/home/u")).contains(Path.of("/xdg/queuedeck/console"));
        assertThat(ConsoleOptions.parse(List.of()).stateDirectory(k -> null, "/home/u"))
                .contains(Path.of("/home/u/.local/share/queuedeck/console"));
        assertThat(ConsoleOptions.parse(List.of("--data-dir", "/q")).stateDirectory(env, "/home/u")).contains(Path.of("/q"));
        assertThat(ConsoleOptions.parse(List.of("--in-memory")).stateDirectory(env, "/home/u")).isEmpty();
        assertThat(ConsoleOptions.parse(List.of("--screenshot", "/tmp/x.png")).stateDirectory(env, "/home/u")).isEmpty();
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--in-memory", "--data-dir", "/q")))
                .hasMessageContaining("cannot be used with --data-dir");
        assertThat(ConsoleOptions.parse(List.of()).shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ConsoleOptions.parse(List.of("--shutdown-grace", "5s")).shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void parse_inject_listReadAndChecked() {
        assertThat(ConsoleOptions.parse(List.of("--inject", "crash:0,slow:1x3,offline:3,burst,poison")).inject())
                .containsExactly("crash:0", "slow:1x3", "offline:3", "burst", "poison");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--inject", "melt:0"))).hasMessageContaining("cannot read 'melt:0'");
    }

    @Test
    void duration_commonForms_parsed() {
        assertThat(ConsoleOptions.duration("800ms")).isEqualTo(Duration.ofMillis(800));
        assertThat(ConsoleOptions.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ConsoleOptions.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConsoleOptions.duration("PT3S")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void parse_badInput_clearMessages() {
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--after", "soon"))).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--policy", "lifo"))).hasMessageContaining("known policies");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--policy", "srpt-oracle")))
                .hasMessageContaining("only a simulation knows").hasMessageNotContaining("srpt-oracle,");
        assertThat(ConsoleOptions.parse(List.of("--policy", "gittins")).policy()).isEqualTo("gittins");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--screen", "nope"))).hasMessageContaining("screens:");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--bogus"))).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--screenshot"))).hasMessageContaining("needs a value");
    }

    @Test
    void parse_apiOptions_portNoApiAndRange() {
        assertThat(ConsoleOptions.parse(List.of()).apiPort()).hasValue(ConsoleOptions.DEFAULT_API_PORT);
        assertThat(ConsoleOptions.parse(List.of("--api-port", "9090")).apiPort()).hasValue(9090);
        assertThat(ConsoleOptions.parse(List.of("--no-api")).apiPort()).isEmpty();
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--api-port", "70000")))
                .hasMessageContaining("--api-port must be between 0 and 65535, got 70000");
        // a cast read these as 2147483647 and 2
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--gpus", "99999999999")))
                .hasMessage("--gpus must be between 1 and 256, got 99999999999");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--gpus", "2.5"))).hasMessage("--gpus needs a whole number, got '2.5'");
    }

    @Test
    void parse_backends_repeatable_turnTheDemoLoadOff_andRefuseWhatOnlyDrivesSimulatedGpus() {
        ConsoleOptions o = ConsoleOptions.parse(List.of("--backend", "http://gpu1:8000,model=m,slots=16",
                "--backend", "http://gpu2:8000/v1,model=m"));

        assertThat(o.backends()).hasSize(2);
        assertThat(o.backends().get(0).slots()).isEqualTo(16);
        assertThat(o.backends().get(0).models()).containsExactly("m");
        assertThat(o.load()).isZero();
        assertThat(ConsoleOptions.parse(List.of()).backends()).isEmpty();
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--backend", "http://gpu1:8000", "--backend", "http://gpu1:8000")))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--backend", "http://gpu1:8000,slots=zero")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--backend", "http://gpu1:8000", "--inject", "crash:0")))
                .hasMessageContaining("cannot be used with --backend");
    }

    @Test
    void parse_redis_joinsASharedQueue_inMemory_withoutDemoLoad() {
        ConsoleOptions o = ConsoleOptions.parse(List.of("--redis", "redis://r:6379/1", "--node", "desk-1", "--queue", "q"));

        assertThat(o.cluster()).contains(new io.queuedeck.console.gateway.ClusterSettings("redis://r:6379/1", "desk-1", "q"));
        assertThat(o.load()).isZero();
        assertThat(o.stateDirectory(k -> null, "/home/u")).isEmpty();
        assertThat(ConsoleOptions.parse(List.of("--redis", "redis://r:6379")).cluster().orElseThrow().queue()).isEqualTo("default");
    }

    @Test
    void parse_redisMisused_refusedWithTheReason() {
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--node", "a"))).hasMessageContaining("--node needs --redis");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--redis", "localhost:6379")))
                .hasMessageContaining("redis://HOST:PORT");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--redis", "redis://r:1", "--node", "a b")))
                .hasMessageContaining("--node must be");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--redis", "redis://r:1", "--data-dir", "/q")))
                .hasMessageContaining("--data-dir");
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--redis", "redis://r:1", "--load", "0.5")))
                .hasMessageContaining("bypass the shared queue");
    }

    @Test
    void parse_config_takesTheStoreSection_flagsWin(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("q.yaml");
        java.nio.file.Files.writeString(file, """
                store:
                  type: redis
                  uri: "redis://cfg:6379"
                  node: {name: from-file, queue: shared}
                """);

        ConsoleOptions o = ConsoleOptions.parse(List.of("--config", file.toString(), "--node", "flag"));

        assertThat(o.cluster()).contains(new io.queuedeck.console.gateway.ClusterSettings("redis://cfg:6379", "flag", "shared"));
        assertThat(o.policy()).as("a file without a policy section runs the console's default").isEqualTo("mlfq");
    }

    @Test
    void parse_config_runsTheFilesPolicy_andRefusesAnotherOne(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("q.yaml");
        java.nio.file.Files.writeString(file, """
                policy: {name: edf}
                tiers:
                  urgent: {priorities: 0}
                  core: {priorities: 1-2}
                  normal: {priorities: 3-6}
                  batch: {priorities: 7-9}
                """);

        ConsoleOptions o = ConsoleOptions.parse(List.of("--config", file.toString()));

        assertThat(o.config()).contains(file);
        assertThat(o.policy()).isEqualTo("edf");
        assertThat(o.cluster()).isEmpty();
        assertThatThrownBy(() -> ConsoleOptions.parse(List.of("--config", file.toString(), "--policy", "fifo")))
                .hasMessageContaining("--policy cannot be used with --config");
    }

    @Test
    void parse_config_itsServerPortServesTheApi_unlessAFlagSaysOtherwise(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("q.yaml"), "server: {port: 9123}\n");

        // the Control screen showed port 9123 while the API listened on 8080
        assertThat(ConsoleOptions.parse(List.of("--config", file.toString())).apiPort()).hasValue(9123);
        assertThat(ConsoleOptions.parse(List.of("--config", file.toString(), "--api-port", "0")).apiPort()).hasValue(0);
        assertThat(ConsoleOptions.parse(List.of("--config", file.toString(), "--no-api")).apiPort()).isEmpty();
    }
}
