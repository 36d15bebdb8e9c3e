package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import io.queuedeck.engine.callback.DeliveryStore;
import io.queuedeck.engine.config.ServeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        Run run = run("serve", "--host", "0.0.0.0", "--port", "0", "--in-memory");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: refusing to bind the API to 0.0.0.0 without a bearer token");
        assertThat(run.out()).doesNotContain("listening");
    }

    @Test
    void serve_badInstanceCount_isRefused() {
        Run run = run("serve", "--instances", "0");
        Run many = run("serve", "--in-memory", "--instances", "1025"); // the config file's limit too
        Run huge = run("serve", "--in-memory", "--instances", "99999999999"); // the range, not "not an int"

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("'--instances': must be 1 to 1024, got 0");
        assertThat(many.exit()).isEqualTo(2);
        assertThat(many.err()).contains("'--instances': must be 1 to 1024, got 1025");
        assertThat(huge.exit()).isEqualTo(2);
        assertThat(huge.err()).contains("'--instances': must be 1 to 1024, got 99999999999");
    }

    /** Why: these said "is not an int", neither what was wrong nor what would do; {@code demo --seconds -1} ran forever. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "serve --in-memory --port 99999999999             | '--port': must be 0 to 65535, got 99999999999",
        "serve --in-memory --max-queued 99999999999       | '--max-queued': must be 1 to 2147483647, got 99999999999",
        "serve --in-memory --max-queued-bytes 0           | '--max-queued-bytes': must be 1 to 9223372036854775807, got 0",
        "serve --in-memory --max-body-bytes 99999999999   | '--max-body-bytes': must be 1 to 2147483639, got 99999999999",
        "serve --in-memory --shutdown-grace 99999999999   | '--shutdown-grace': must be 0 to 2147483647, got 99999999999",
        "serve --in-memory --node a --prefetch 99999999999 | '--prefetch': must be 0 to 1000, got 99999999999",
        "serve --in-memory --node a --max-attempts 0      | '--max-attempts': must be 1 to 2147483647, got 0",
        "demo --seconds -1                                | '--seconds': must be 0 to 2147483647, got -1",
        "inversion --medium 5,99999999999                 | '--medium' (<medium>): must be 0 to 2147483647, got 99999999999",
    })
    void wholeNumberOptions_outOfRange_sayTheRange(String args, String message) {
        Run run = run(args.trim().split(" +"));

        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(message).doesNotContain("not an int").doesNotContain("not a long");
    }

    /** Why: these printed the whole usage (over 100 lines) without "error:", and a duration named Java's classes. */
    @Test
    void serve_unknownFlagOrBadDuration_isOneErrorLine_andWhereHelpIs() {
        Run unknown = run("serve", "--in-memory", "--bogus");
        Run duration = run("serve", "--in-memory", "--idempotency-window=5x");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("error: Unknown option: '--bogus'\n(queuedeck-engine serve --help lists the options)\n");
        assertThat(duration.exit()).isEqualTo(2);
        assertThat(duration.err()).startsWith("error: Invalid value for option '--idempotency-window': '5x' is not a duration"
                + " such as 500ms, 90s, 5m, 24h or PT24H").doesNotContain("java.", "Usage");
    }

    @Test
    void serve_durations_takeTheConfigFilesSpelling_andIso() {
        CommandLine line = Main.commandLine();
        ServeCommand written = line.getSubcommands().get("serve").getCommand();
        line.parseArgs("serve", "--idempotency-window=5h");
        CommandLine iso = Main.commandLine();
        iso.parseArgs("serve", "--idempotency-window=PT90S");
        ServeCommand isoCommand = iso.getSubcommands().get("serve").getCommand();

        assertThat(written.options.idempotencyWindow).isEqualTo(java.time.Duration.ofHours(5));
        assertThat(isoCommand.options.idempotencyWindow).isEqualTo(java.time.Duration.ofSeconds(90));
    }

    @Test
    void serve_badBackendFlag_isRefused() {
        Run run = run("serve", "--in-memory", "--backend", "http://127.0.0.1:9,slots=many");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--backend http://127.0.0.1:9,slots=many: slots must be a whole number");
    }

    @Test
    void serve_backendThatCannotNameItsModels_isRefused() {
        Run run = run("serve", "--in-memory", "--port", "0", "--backend", "http://127.0.0.1:9");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("backend http://127.0.0.1:9 names no model and GET /v1/models failed");
        assertThat(run.out()).doesNotContain("listening");
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

    @TempDir
    Path dir;

    private static final String CONFIG = """
            server: {host: 127.0.0.1, port: 9999, max_queued: 50, threads: platform}
            executor: {instances: 2}
            policy: {name: fifo}
            clients:
              - {name: ops, token_env: OPS_TOKEN, max_priority: 1, requests_per_second: 5, burst: 10}
            tenants:
              rates: {acme: {requests_per_second: 3}}
            callbacks: {max_attempts: 2, allowed_hosts: [a.example], secret_env: HOOK_SECRET}
            store: {data_dir: from-file, idempotency_window: 2h}
            """;

    /** The settings serve would use, with {@code dir} as the home directory (so no real user config is found). */
    private ServeConfig effective(Map<String, String> env, String... args) {
        CommandLine line = new CommandLine(new ServeCommand());
        line.parseArgs(args);
        ServeCommand serve = line.getCommand();
        return serve.effective(serve.configFile(env::get, dir.toString()), env::get);
    }

    @Test
    void config_fileSetsWhatNoFlagDoes() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), CONFIG);

        ServeConfig settings = effective(Map.of("OPS_TOKEN", "t-ops-0123456789abcdef0123456789abcdef", "HOOK_SECRET", "h"), "--config", file.toString());

        assertThat(settings.server()).isEqualTo(new ServeConfig.ServerSection("127.0.0.1", 9999, null, 50, "platform", null, null, null));
        assertThat(settings.engine()).isEqualTo(new ServeConfig.EngineSection(null));
        assertThat(settings.executor()).isEqualTo(new ServeConfig.ExecutorSection(2, java.util.List.of()));
        assertThat(settings.policy()).isEqualTo(new ServeConfig.PolicySection("fifo", null));
        assertThat(settings.store().idempotencyWindow()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(settings.clients()).singleElement().satisfies(c -> {
            assertThat(c.token()).isEqualTo("t-ops-0123456789abcdef0123456789abcdef");
            assertThat(c.policy()).isEqualTo(new ClientPolicy("ops", 1, 5, 10));
        });
        assertThat(settings.tenants().rates()).containsEntry("acme", new RateLimit(3, 3));
        assertThat(settings.callbacks().allowedHosts()).containsExactly("a.example");
        assertThat(settings.callbacks().secret()).isEqualTo("h".getBytes());
        assertThat(settings.store().dataDir()).isEqualTo(dir.toAbsolutePath().resolve("from-file"));
    }

    @Test
    void config_explicitFlagsWinOverTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), CONFIG);
        Path tokenFile = Files.writeString(dir.resolve("cli.token"), "t-cli-0123456789abcdef0123456789abcdef");

        ServeConfig settings = effective(Map.of("OPS_TOKEN", "t-ops-0123456789abcdef0123456789abcdef", "HOOK_SECRET", "h"), "--config", file.toString(),
                "--port", "0", "--host", "localhost", "--max-queued", "7", "--threads", "virtual", "--policy", "mlfq",
                "--instances", "3", "--callback-hosts", "b.example,c.example", "--data-dir", dir.resolve("flag").toString(),
                "--token-file", tokenFile.toString(), "--shutdown-grace", "5", "--idempotency-window", "PT1M");

        assertThat(settings.server()).isEqualTo(new ServeConfig.ServerSection("localhost", 0, null, 7, "virtual", null, null,
                java.time.Duration.ofSeconds(5)));
        assertThat(settings.executor()).isEqualTo(new ServeConfig.ExecutorSection(3, java.util.List.of()));
        assertThat(settings.policy()).isEqualTo(new ServeConfig.PolicySection("mlfq", null));
        assertThat(settings.store().idempotencyWindow()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(settings.callbacks().allowedHosts()).containsExactly("b.example", "c.example");
        assertThat(settings.callbacks().maxAttempts()).as("no flag for it: the file's").isEqualTo(2);
        assertThat(settings.store().dataDir()).isEqualTo(dir.resolve("flag"));
        assertThat(settings.clients()).extracting(c -> c.policy().name()).containsExactly("ops", "default");
    }

    /** An unset $HOSTS in --callback-hosts "$HOSTS" made the list empty: the open default, unsaid. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", ",,", "a.example,,b.example", " ", "a.example,", ",a.example"})
    void callbackHosts_withAnEmptyEntry_isRefused(String hosts) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> effective(Map.of(), "--callback-hosts", hosts))
                .hasMessageStartingWith("--callback-hosts has an empty entry");
    }

    @Test
    void storeNode_fromTheFile_flagsWinKeyByKey() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), """
                store:
                  type: redis
                  uri: "redis://127.0.0.1:6379/0"
                  node: {name: gpu-a, queue: jobs, lease: 10s}
                """);

        assertThat(effective(Map.of(), "--config", file.toString()).store().node())
                .isEqualTo(new ServeConfig.NodeSection("gpu-a", "jobs", java.time.Duration.ofSeconds(10), 2, 3));
        assertThat(effective(Map.of(), "--config", file.toString(), "--node", "gpu-b", "--prefetch", "5").store().node())
                .isEqualTo(new ServeConfig.NodeSection("gpu-b", "jobs", java.time.Duration.ofSeconds(10), 5, 3));
        assertThat(effective(Map.of()).store().node()).isNull();
    }

    /** The flag wins over the key, so it also stands in for a key the file leaves out. */
    @Test
    void storeNode_withoutAName_takesTheFlags_andIsRefusedWithoutIt() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), """
                store:
                  type: redis
                  uri: "redis://127.0.0.1:6379/0"
                  node: {lease: 6s}
                """);

        assertThat(effective(Map.of(), "--config", file.toString(), "--node", "c").store().node())
                .isEqualTo(new ServeConfig.NodeSection("c", "default", java.time.Duration.ofSeconds(6), 2, 3));
        assertThatThrownBy(() -> effective(Map.of(), "--config", file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("store.node makes this process a node of a shared queue and needs its name: store.node.name in"
                        + " the config file, or --node NAME");
    }

    @Test
    void nodeSettings_withoutANode_areRefused_notIgnored() {
        for (String[] flag : new String[][] {{"--queue", "jobs"}, {"--lease", "PT10S"}, {"--prefetch", "5"}, {"--max-attempts", "4"}}) {
            assertThatThrownBy(() -> effective(Map.of(), flag))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(flag[0] + " sets a node of a shared queue and needs --node NAME"
                            + " (or store.node in the config file; docs/distributed.md)");
        }
        assertThat(effective(Map.of(), "--node", "gpu-a", "--queue", "jobs").store().node().queue()).isEqualTo("jobs");
    }

    @Test
    void noConfigAnywhere_usesTheBuiltInDefaultFile() {
        ServeConfig settings = effective(Map.of());

        assertThat(settings).isEqualTo(ServeConfig.defaults(Map.<String, String>of()::get));
        assertThat(settings.server().port()).isEqualTo(8080);
        assertThat(settings.policy().name()).isEqualTo(ServeCommand.DEFAULT_POLICY);
        assertThat(settings.executor().instances()).isEqualTo(ServeCommand.DEFAULT_INSTANCES);
        assertThat(settings.clients()).isEmpty();
        assertThat(settings.store().dataDir()).isNull();
    }

    @Test
    void configFile_isTheFlag_elseXdgConfigHome_elseDotConfig_whenItExists() throws Exception {
        CommandLine line = new CommandLine(new ServeCommand());
        line.parseArgs();
        ServeCommand serve = line.getCommand();
        Path xdg = dir.resolve("xdg");
        Path home = dir.resolve("home");

        assertThat(serve.configFile(Map.of("XDG_CONFIG_HOME", xdg.toString())::get, home.toString())).as("none exists").isNull();
        Path dotConfig = home.resolve(".config/queuedeck/queuedeck.yaml");
        Files.createDirectories(dotConfig.getParent());
        Files.writeString(dotConfig, "executor: {instances: 3}\n");
        assertThat(serve.configFile(Map.<String, String>of()::get, home.toString())).isEqualTo(dotConfig);
        assertThat(serve.configFile(Map.of("XDG_CONFIG_HOME", "relative/ignored")::get, home.toString())).isEqualTo(dotConfig);
        Path inXdg = xdg.resolve("queuedeck/queuedeck.yaml");
        Files.createDirectories(inXdg.getParent());
        Files.writeString(inXdg, "executor: {instances: 2}\n");
        assertThat(serve.configFile(Map.of("XDG_CONFIG_HOME", xdg.toString())::get, home.toString())).isEqualTo(inXdg);

        line.parseArgs("--config", "given.yaml");
        assertThat(serve.configFile(Map.of("XDG_CONFIG_HOME", xdg.toString())::get, home.toString())).isEqualTo(Path.of("given.yaml"));
    }

    @Test
    void shortTokenFile_isRefusedAtStart_namingItsSource() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("short.token"), "too-short");

        Run run = run("serve", "--port", "0", "--token-file", tokenFile.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: the token from --token-file is 9 bytes; tokens must be at least 32"
                + " bytes (e.g. openssl rand -hex 32)");
        assertThat(run.out()).doesNotContain("listening");
    }

    @Test
    void legacyClientWithoutScopes_isWarnedAbout_scopedOnesAreNot() {
        List<String> warnings = ServeCommand.legacyClientWarnings(List.of(
                new ServeConfig.ClientSection("a".repeat(32), io.queuedeck.engine.api.ClientPolicy.unlimited("old")),
                new ServeConfig.ClientSection("b".repeat(32), io.queuedeck.engine.api.ClientPolicy.scoped("new", "acme",
                        java.util.Set.of(io.queuedeck.engine.api.Scope.READ)))));

        assertThat(warnings).singleElement().asString().contains("client 'old' has no scopes").contains("every tenant")
                .doesNotContain("aaaa");
    }

    @Test
    void serve_badConfigValue_isRefusedNamingFileAndKey() throws Exception {
        Files.writeString(dir.resolve("a.token"), "a".repeat(32));
        Files.writeString(dir.resolve("b.token"), "b".repeat(32));
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), "clients:\n  - {name: a, token_file: a.token}\n"
                + "  - {name: b, token_file: b.token, max_priority: 12}\n");

        Run run = run("serve", "--config", file.toString(), "--port", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: " + file + ": clients[1].max_priority must be between 0 and 9, got 12 (line 3)");
        assertThat(run.out()).doesNotContain("listening");
    }

    @Test
    void serve_configWithSeveralMistakes_printsEveryOne_withItsLine_andStartsNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), """
                server:
                  port: 70000
                  prot: 8080
                executor:
                  instances: 0
                tiers:
                  core: {max_concurrency: -1}
                callbacks:
                  base_delay: soon
                  max_delay: 1s
                """);

        Run run = run("serve", "--config", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip().split("\n")).containsExactly(
                "error: " + file + ": server.port must be between 0 and 65535, got 70000 (line 2)",
                "error: " + file + ": server.prot is not a known setting (known here: host, port, max_body_bytes, max_queued,"
                        + " threads, max_inflight_body_bytes, body_timeout, shutdown_grace) (line 3)",
                "error: " + file + ": executor.instances must be between 1 and 1024, got 0 (line 5)",
                "error: " + file + ": tiers.core.max_concurrency must be between 1 and 1000000, got -1 (line 7)",
                "error: " + file + ": callbacks.base_delay must be a duration such as 500ms, 2s, 1m or 1h, got 'soon' (line 9)");
        assertThat(run.out()).doesNotContain("listening");
    }

    @Test
    void serve_unknownConfigKey_isRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), "server:\n  prot: 8080\n");

        Run run = run("serve", "--config", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: " + file + ": server.prot is not a known setting");
    }

    @Test
    void serve_dataDirHeldByAnotherStore_isRefusedAsInUse() {
        try (DeliveryStore holder = DeliveryStore.durable(dir)) {
            Run run = run("serve", "--port", "0", "--data-dir", dir.toString());

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err().strip()).isEqualTo("error: data directory " + dir
                    + " is in use by another running QueueDeck (callbacks.db is locked)");
            assertThat(run.out()).doesNotContain("listening");
        }
    }

    @Test
    void stateDirectory_defaultsToXdgDataHome_elseTheHomeDirectory_andInMemoryKeepsNone() {
        Path given = dir.resolve("given");
        assertThat(ServeCommand.stateDirectory(given, false, Map.of("XDG_DATA_HOME", "/xdg")::get, "/home/u"))
                .isEqualTo(given);
        assertThat(ServeCommand.stateDirectory(null, false, Map.of("XDG_DATA_HOME", "/xdg")::get, "/home/u"))
                .isEqualTo(Path.of("/xdg/queuedeck"));
        assertThat(ServeCommand.stateDirectory(null, false, Map.of("XDG_DATA_HOME", "relative")::get, "/home/u"))
                .as("a relative XDG_DATA_HOME is ignored, as the spec says").isEqualTo(Path.of("/home/u/.local/share/queuedeck"));
        assertThat(ServeCommand.stateDirectory(null, false, Map.<String, String>of()::get, "/home/u"))
                .isEqualTo(Path.of("/home/u/.local/share/queuedeck"));
        assertThat(ServeCommand.stateDirectory(null, true, Map.<String, String>of()::get, "/home/u")).isNull();
    }

    @Test
    void serve_inMemoryWithADataDir_isRefused() {
        Run run = run("serve", "--port", "0", "--in-memory", "--data-dir", dir.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: --in-memory keeps nothing on disk");
    }

    @Test
    void serve_dataDirThatCannotBeCreated_isRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        Run run = run("serve", "--port", "0", "--data-dir", file.resolve("state").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: cannot create data directory " + file.resolve("state"));
    }

    @Test
    void help_listsServe() {
        assertThat(run("--help").out()).contains("serve");
    }

    @Test
    void serve_redisUnreachable_isRefusedWithOneLine_exit2() throws Exception {
        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Run run = run("serve", "--port", "0", "--in-memory", "--redis", "redis://:hunter2-secret@127.0.0.1:" + closedPort);

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: --redis: cannot reach Redis at redis://127.0.0.1:" + closedPort + "/0: ")
                .doesNotContain("hunter2-secret");
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.out()).doesNotContain("listening");
    }

    @Test
    void serve_malformedRedisUri_isRefused() {
        Run run = run("serve", "--port", "0", "--in-memory", "--redis", "127.0.0.1:6379");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: --redis: Redis URI must look like redis://HOST:PORT[/DB]");
    }

    @Test
    void listeningLine_namesRedisWithoutItsPassword_andWhereCallbacksAre() {
        assertThat(ServeCommand.stateWhere("redis://:pw@10.0.0.5:6380/2", null))
                .isEqualTo(", queue in Redis at redis://10.0.0.5:6380/2, callbacks in memory (--in-memory)");
        assertThat(ServeCommand.stateWhere("redis://10.0.0.5", Path.of("/var/lib/qd")))
                .isEqualTo(", queue in Redis at redis://10.0.0.5, callbacks in /var/lib/qd");
        assertThat(ServeCommand.stateWhere(null, null)).contains("in memory: nothing survives a restart");
    }

    @Test
    void storeInTheConfigFile_isRedis_andTheRedisFlagWinsOverIt() throws Exception {
        Path file = Files.writeString(dir.resolve("redis.yaml"), "store: {type: redis, uri: 'redis://:pw@10.0.0.5:6380/2'}\n");

        assertThat(effective(Map.of(), "--config", file.toString()).store().redisUri()).isEqualTo("redis://:pw@10.0.0.5:6380/2");
        assertThat(effective(Map.of(), "--config", file.toString()).store().toString()).doesNotContain("pw");
        assertThat(effective(Map.of(), "--config", file.toString(), "--redis", "redis://other:6379").store().redisUri())
                .isEqualTo("redis://other:6379");
        assertThat(effective(Map.of()).store().redisUri()).isNull(); // the embedded store stays the default
    }
}
