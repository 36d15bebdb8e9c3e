package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading {@code serve --config} files: the shipped example, and one precise message per kind of mistake. */
class ServeConfigTest {
    /** The example the repository ships (tests run in scheduler-engine/). */
    static final Path EXAMPLE = Path.of("..", "resources", "config", "queuedeck.example.yaml");
    static final Map<String, String> ENV = Map.of("QUEUEDECK_TOKEN_INTERACTIVE", "tok-interactive-0123456789abcdef012345",
            "QUEUEDECK_TOKEN_BATCH", "tok-batch-0123456789abcdef0123456789abc", "QUEUEDECK_CALLBACK_SECRET", "s3cret");

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("queuedeck.yaml"), yaml, StandardCharsets.UTF_8);
    }

    private ServeConfig load(String yaml) throws Exception {
        return ServeConfig.load(write(yaml), ENV::get);
    }

    private String refusal(String yaml) throws Exception {
        Path file = write(yaml);
        try {
            ServeConfig.load(file, ENV::get);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file + ": ");
            return e.getMessage().substring(file.toString().length() + 2);
        }
        throw new AssertionError("loaded without complaint:\n" + yaml);
    }

    @Test
    void example_loadsWithEverySection() {
        ServeConfig config = ServeConfig.load(EXAMPLE, ENV::get);

        assertThat(config.server()).isEqualTo(new ServeConfig.ServerSection("127.0.0.1", 8080, 1_048_576L, 1_000_000, "auto", 67_108_864L, java.time.Duration.ofSeconds(10)));
        assertThat(config.engine()).isEqualTo(new ServeConfig.EngineSection("priority", 4, null));
        assertThat(config.clients()).extracting(ServeConfig.ClientSection::token).containsExactly("tok-interactive-0123456789abcdef012345", "tok-batch-0123456789abcdef0123456789abc");
        assertThat(config.clients().get(1).policy()).isEqualTo(new ClientPolicy("batch-jobs", 5, 50, 100, "batch-team",
                java.util.Set.of(io.queuedeck.engine.api.Scope.SUBMIT, io.queuedeck.engine.api.Scope.READ,
                        io.queuedeck.engine.api.Scope.OPERATE)));
        assertThat(config.clients().get(0).policy()).isEqualTo(new ClientPolicy("interactive", 0, 0, 0, "acme",
                java.util.Set.of(io.queuedeck.engine.api.Scope.SUBMIT, io.queuedeck.engine.api.Scope.READ)));
        assertThat(config.tenants().defaultRate()).isEqualTo(new RateLimit(100, 200));
        assertThat(config.tenants().rates()).containsExactly(Map.entry("acme", new RateLimit(500, 1000)));
        assertThat(config.callbacks().maxAttempts()).isEqualTo(6);
        assertThat(config.callbacks().baseDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.callbacks().maxDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.callbacks().allowedHosts()).containsExactly("hooks.example.com", "127.0.0.1:9000");
        assertThat(config.callbacks().secret()).isEqualTo("s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(config.dataDir()).isNull();
    }

    @Test
    void example_isShippedOnTheClasspath() throws Exception {
        try (var in = ServeConfigTest.class.getResourceAsStream("/queuedeck/config/queuedeck.example.yaml")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(EXAMPLE));
        }
    }

    @Test
    void toString_neverShowsTokensOrSecrets() {
        ServeConfig config = ServeConfig.load(EXAMPLE, ENV::get);

        assertThat(config.toString()).doesNotContain("tok-interactive-0123456789abcdef012345").doesNotContain("tok-batch-0123456789abcdef0123456789abc").doesNotContain("s3cret");
    }

    @Test
    void emptyFile_setsNothing() throws Exception {
        assertThat(load("")).isEqualTo(ServeConfig.EMPTY);
        assertThat(load("# only a comment\n")).isEqualTo(ServeConfig.EMPTY);
    }

    @Test
    void relativePaths_areResolvedAgainstTheFilesFolder() throws Exception {
        Files.writeString(dir.resolve("ops.token"), "from-a-file-0123456789abcdef0123456789\n");

        ServeConfig config = load("""
                data_dir: state
                clients:
                  - name: ops
                    token_file: ops.token
                """);

        assertThat(config.dataDir()).isEqualTo(dir.toAbsolutePath().resolve("state"));
        assertThat(config.clients().getFirst().token()).isEqualTo("from-a-file-0123456789abcdef0123456789");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key            | serve: {}                                                     | serve is not a known setting (known here: server, engine, clients, tenants, callbacks, data_dir, store)
            unknown key in a section         | server: {prot: 8080}                                          | server.prot is not a known setting (known here: host, port, max_body_bytes, max_queued, threads, max_inflight_body_bytes, body_timeout)
            unknown key in a list entry      | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, rate: 3}] | clients[0].rate is not a known setting (known here: name, token_env, token_file, max_priority, requests_per_second, burst, tenant, scopes)
            port out of range                | server: {port: 70000}                                         | server.port must be between 0 and 65535, got 70000
            port not a number                | server: {port: eighty}                                        | server.port must be a whole number between 0 and 65535, got 'eighty'
            bad threads                      | server: {threads: green}                                      | server.threads must be virtual, platform or auto, got 'green'
            zero body timeout                | server: {body_timeout: 0s}                                    | server.body_timeout must be positive, got 0
            in-flight cap not a number       | server: {max_inflight_body_bytes: lots}                       | server.max_inflight_body_bytes must be a whole number between 1 and 9223372036854775807, got 'lots'
            queue byte budget zero           | engine: {max_queued_bytes: 0}                                 | engine.max_queued_bytes must be between 1 and 9223372036854775807, got 0
            unknown policy                   | engine: {policy: lottery}                                     | engine.policy must be one of
            zero instances                   | engine: {instances: 0}                                        | engine.instances must be between 1 and 1024, got 0
            section not a mapping            | server: 8080                                                  | server must be a mapping of keys to values, got 8080
            tenant rate zero                 | tenants: {rates: {acme: {requests_per_second: 0}}}            | tenants.rates.acme.requests_per_second must be a number above 0, got 0
            tenant rate missing              | tenants: {default: {burst: 3}}                                | tenants.default.requests_per_second is required
            bad duration                     | callbacks: {base_delay: soon, max_delay: 1s}                  | callbacks.base_delay must be a duration such as 500ms, 2s, 1m or 1h, got 'soon'
            cap below base                   | callbacks: {base_delay: 2s, max_delay: 1s}                    | callbacks.max_delay must not be shorter than callbacks.base_delay, got PT1S < PT2S
            store without type               | store: {uri: 'redis://h:1'}                                   | store.type is required: embedded or redis
            unknown store type               | store: {type: etcd}                                           | store.type must be embedded or redis, got 'etcd'
            redis store without uri          | store: {type: redis}                                          | store.uri is required with type redis, e.g. redis://127.0.0.1:6379/0
            redis uri without scheme         | store: {type: redis, uri: 'h:6379'}                           | store.uri must start with redis:// or rediss://
            embedded store with uri          | store: {type: embedded, uri: 'redis://h:1'}                   | store.uri is only for type redis
            half a backoff                   | callbacks: {base_delay: 2s}                                   | callbacks.max_delay must be given together with callbacks.base_delay
            zero backoff                     | callbacks: {base_delay: 0s, max_delay: 1s}                    | callbacks.base_delay must be longer than 0, got PT0S
            endless backoff                  | callbacks: {base_delay: 1s, max_delay: 3000000h}              | callbacks.max_delay is too long, got '3000000h'
            unset secret variable            | callbacks: {secret_env: NOT_SET_ANYWHERE}                     | callbacks.secret_env names NOT_SET_ANYWHERE, which is not set or empty
            allowed hosts not a list         | callbacks: {allowed_hosts: example.com}                       | callbacks.allowed_hosts must be a list, got 'example.com'
            """)
    void badFile_isRefusedNamingTheKeyPath(String what, String yaml, String message) throws Exception {
        assertThat(refusal(yaml)).as(what).startsWith(message);
    }

    @Test
    void clientPriorityOutOfRange_namesTheEntry() throws Exception {
        assertThat(refusal("""
                clients:
                  - name: a
                    token_env: QUEUEDECK_TOKEN_INTERACTIVE
                  - name: b
                    token_env: QUEUEDECK_TOKEN_BATCH
                    max_priority: 12
                """)).isEqualTo("clients[1].max_priority must be between 0 and 9, got 12");
    }

    @Test
    void clientTokens_mustComeFromExactlyOneSource_andBeDistinct() throws Exception {
        assertThat(refusal("clients: [{name: a}]"))
                .isEqualTo("clients[0] needs exactly one of token_env (an environment variable's name) or token_file");
        assertThat(refusal("clients: [{name: a, token_env: NOT_SET_ANYWHERE}]"))
                .isEqualTo("clients[0].token_env names NOT_SET_ANYWHERE, which is not set or empty");
        assertThat(refusal("clients: [{name: a, token_file: missing.token}]"))
                .startsWith("clients[0].token_file cannot be read: ");
        String twice = refusal("""
                clients:
                  - {name: a, token_env: QUEUEDECK_TOKEN_BATCH}
                  - {name: b, token_env: QUEUEDECK_TOKEN_BATCH}
                """);
        assertThat(twice).isEqualTo("clients[1] has the same token as clients[0]").doesNotContain("tok-batch-0123456789abcdef0123456789abc");
        assertThat(refusal("""
                clients:
                  - {name: a, token_env: QUEUEDECK_TOKEN_BATCH}
                  - {name: a, token_env: QUEUEDECK_TOKEN_INTERACTIVE}
                """)).isEqualTo("clients[1].name 'a' is already the name of clients[0]");
        assertThat(refusal("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, burst: 5}]"))
                .isEqualTo("clients[0].burst needs requests_per_second beside it");
    }

    @Test
    void clientTenantAndScopes_areRead_andMistakesNamed() throws Exception {
        ServeConfig config = load("""
                clients:
                  - {name: acme-app, token_env: QUEUEDECK_TOKEN_BATCH, tenant: acme, scopes: [submit, read]}
                  - {name: ops, token_env: QUEUEDECK_TOKEN_INTERACTIVE, scopes: [admin]}
                """);

        assertThat(config.clients().get(0).policy().tenant()).isEqualTo("acme");
        assertThat(config.clients().get(0).policy().scopes())
                .containsExactlyInAnyOrder(io.queuedeck.engine.api.Scope.SUBMIT, io.queuedeck.engine.api.Scope.READ);
        assertThat(config.clients().get(1).policy().tenant()).isNull();
        assertThat(config.clients().get(1).policy().legacy()).isFalse();
        assertThat(refusal("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: acme}]"))
                .isEqualTo("clients[0].scopes is required for a client bound to a tenant (submit, read, operate)");
        assertThat(refusal("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: acme, scopes: [admin]}]"))
                .isEqualTo("clients[0].tenant must be left out for an admin client: admin sees every tenant");
        assertThat(refusal("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, scopes: [write]}]"))
                .isEqualTo("clients[0].scopes must name submit, read, operate or admin, got 'write'");
        assertThat(refusal("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, scopes: []}]"))
                .isEqualTo("clients[0].scopes must name at least one of submit, read, operate, admin");
    }

    @Test
    void tokenShorterThan32Bytes_isRefusedWithoutShowingIt() throws Exception {
        Files.writeString(dir.resolve("short.token"), "short-secret\n");

        String refused = refusal("clients: [{name: a, token_file: short.token}]");

        assertThat(refused).isEqualTo("clients[0].token_file gives a token of 12 bytes; tokens must be at least 32 bytes"
                + " (e.g. openssl rand -hex 32)").doesNotContain("short-secret");
    }

    @Test
    void notYaml_orDuplicateKeys_areRefusedWithTheLine() throws Exception {
        assertThat(refusal("server:\n  port: 1\n  port: 2\n")).startsWith("not valid YAML at line 3").contains("port");
        assertThat(refusal("server: [unclosed\n")).startsWith("not valid YAML at line");
    }

    @Test
    void missingFile_isRefused() {
        Function<String, String> env = ENV::get;
        assertThatThrownBy(() -> ServeConfig.load(dir.resolve("absent.yaml"), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read config file " + dir.resolve("absent.yaml"));
    }

    @Test
    void clientRateWithoutBurst_getsOneSecondsWorth() throws Exception {
        ServeConfig config = load("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, requests_per_second: 2.5}]");

        assertThat(config.clients()).extracting(ServeConfig.ClientSection::policy)
                .containsExactly(new ClientPolicy("a", 0, 2.5, 3));
        assertThat(List.of(config.tenants().rates())).containsExactly(Map.of());
    }
}
