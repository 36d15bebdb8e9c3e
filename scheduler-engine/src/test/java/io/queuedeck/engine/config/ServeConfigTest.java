package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** Loading config files: the documented default, every section and what each reads; their mistakes are in {@link ServeConfigMistakesTest}. */
class ServeConfigTest extends ServeConfigFixture {
    @Test
    void minFreeMb_isAWholeNumberOfMebibytes_fromZero() throws Exception {
        assertThat(refusal("store:\n  min_free_mb: -1\n")).startsWith("store.min_free_mb must be ").contains("-1");
        assertThat(refusal("store:\n  min_free_mb: 64MB\n")).startsWith("store.min_free_mb must be ");
        assertThat(load("store:\n  min_free_mb: 0\n").store().minFreeBytes()).isZero();
    }

    @Test
    void storeNode_readsDistributedModesSettings() throws Exception {
        ServeConfig config = load("""
                store:
                  type: redis
                  uri: "redis://127.0.0.1:6379/0"
                  node: {name: gpu-a, queue: jobs, lease: 10s, prefetch: 4, max_attempts: 5}
                """);
        assertThat(config.store().redisUri()).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(config.store().node()).isEqualTo(new ServeConfig.NodeSection("gpu-a", "jobs", Duration.ofSeconds(10), 4, 5));
        assertThat(load("store: {type: redis, uri: 'redis://h:1'}").store().node()).isNull();
    }

    @Test
    void backends_readWithTheirSettings() throws Exception {
        Files.writeString(dir.resolve("gpu2.key"), "k2\n");
        ServeConfig config = ServeConfig.load(write("""
                executor:
                  backends:
                    - url: http://gpu1:8000/v1
                      models: [llama, qwen]
                      slots: 32
                      api_key_env: QUEUEDECK_TOKEN_BATCH
                      priority_field: priority
                      first_token_timeout: 30s
                    - url: http://gpu2:8000
                      api_key_file: gpu2.key
                """), ENV::get);

        List<io.queuedeck.engine.exec.openai.Backend> backends = config.executor().backends();
        assertThat(backends).hasSize(2);
        var first = backends.getFirst();
        assertThat(first.baseUrl().toString()).isEqualTo("http://gpu1:8000");
        assertThat(first.models()).containsExactly("llama", "qwen");
        assertThat(first.slots()).isEqualTo(32);
        assertThat(first.apiKey()).isEqualTo("tok-batch-0123456789abcdef0123456789abc");
        assertThat(first.priorityField()).isEqualTo("priority");
        assertThat(first.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(first.connectTimeout()).isEqualTo(io.queuedeck.engine.exec.openai.Backend.DEFAULT_CONNECT_TIMEOUT);
        var second = backends.get(1);
        assertThat(second.models()).isEmpty(); // asked for at start
        assertThat(second.apiKey()).isEqualTo("k2");
        assertThat(config.toString()).doesNotContain("tok-batch").doesNotContain("k2,");
    }

    @Test
    void backends_mistakes_areNamedByKeyPath() throws Exception {
        assertThat(refusal("executor:\n  backends:\n    - slots: 4\n")).isEqualTo("executor.backends[0].url is required");
        assertThat(refusal("executor:\n  backends:\n    - url: ftp://x\n"))
                .startsWith("executor.backends[0].url backend URL must be http(s)://");
        // they were shown on /metrics, /v1/instances and every task
        assertThat(refusal("executor:\n  backends:\n    - url: http://user:pw-secret@gpu1:8000\n"))
                .contains("must not carry credentials").doesNotContain("pw-secret");
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      slots: 0\n")).startsWith("executor.backends[0].slots");
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      api_key_env: NOPE\n"))
                .isEqualTo("executor.backends[0].api_key_env names NOPE, which is not set or empty");
        // a key a header cannot carry failed every request of the backend on the loop, its tasks running forever
        Files.writeString(dir.resolve("bad.key"), "sk-\u00dcNICODE-secret\n", StandardCharsets.UTF_8);
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      api_key_file: bad.key\n"))
                .startsWith("executor.backends[0].api_key_file holds no usable key: the API key has a character an HTTP header"
                        + " cannot carry (character 4 of 17, outside ASCII)").doesNotContain("secret");
        Files.writeString(dir.resolve("injected.key"), "sk-secret\r\nX-Injected: yes", StandardCharsets.UTF_8);
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      api_key_file: injected.key\n"))
                .contains("a control character").doesNotContain("secret");
        Files.writeString(dir.resolve("empty.key"), "\n");
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      api_key_file: empty.key\n"))
                .startsWith("executor.backends[0].api_key_file names ").endsWith("empty.key, which is empty");
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n    - url: http://x/v1\n"))
                .isEqualTo("executor.backends[1].url names http://x a second time");
        assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      modle: m\n")).contains("modle is not a known setting");
        assertThat(refusal("backends:\n  - url: http://x\n")).isEqualTo("backends has moved to executor.backends");
    }

    /** Every section, as an operator would fill it in. */
    private static final String EVERY_SECTION = """
            server:
              host: 127.0.0.1
              port: 8080
              max_body_bytes: 1048576
              max_queued: 1000000
              threads: auto
              max_inflight_body_bytes: 67108864
              body_timeout: 10s
              shutdown_grace: 20s
            engine:
              max_queued_bytes: 268435456
            executor:
              instances: 4
            policy:
              name: mlfq
              parameters: {q0_ms: 20}
            clients:
              - name: interactive
                token_env: QUEUEDECK_TOKEN_INTERACTIVE
                tenant: acme
                scopes: [submit, read]
                max_priority: 0
              - name: batch-jobs
                token_env: QUEUEDECK_TOKEN_BATCH
                tenant: batch-team
                scopes: [submit, read, operate]
                max_priority: 5
                requests_per_second: 50
                burst: 100
            tenants:
              default: {requests_per_second: 100, burst: 200}
              rates:
                acme: {requests_per_second: 500, burst: 1000}
              max_queued_share: 0.5
              max_queued_shares: {acme: 0.8}
            callbacks:
              max_attempts: 6
              base_delay: 500ms
              max_delay: 60s
              allowed_hosts: [hooks.example.com, "127.0.0.1:9000"]
              secret_env: QUEUEDECK_CALLBACK_SECRET
            store:
              data_dir: state
              idempotency_window: 12h
              min_free_mb: 512
            """;

    @Test
    void chunkedGeneration_offByDefault_onWithItsQuantum_andMistakesNamed() throws Exception {
        assertThat(load("executor: {chunked_generation: {enabled: false, quantum_tokens: 32}}").executor()
                .chunkQuantumTokens()).isNull();
        assertThat(load("executor: {chunked_generation: {enabled: true, quantum_tokens: 32}}").executor()
                .chunkQuantumTokens()).isEqualTo(32);
        assertThat(load("executor: {chunked_generation: {enabled: true}}").executor().chunkQuantumTokens())
                .isEqualTo(ConfigReader.DEFAULT_CHUNK_TOKENS);
        assertThat(refusal("executor: {chunked_generation: {enabled: yes please}}"))
                .isEqualTo("executor.chunked_generation.enabled must be true or false, got 'yes please'");
        assertThat(refusal("executor: {chunked_generation: {enabled: true, quantum_tokens: 0}}"))
                .isEqualTo("executor.chunked_generation.quantum_tokens must be between 1 and 1000000, got 0");
    }

    @Test
    void defaultFile_loads_withTheBuildersOwnDefaults() {
        ServeConfig config = ServeConfig.load(DEFAULT_FILE, Map.<String, String>of()::get);

        // each value is the default of the builder that takes it (ApiServer, Engine, CallbackDispatcher, serve):
        // so "no file" and "the default file" run the same engine
        assertThat(config.server()).isEqualTo(new ServeConfig.ServerSection("127.0.0.1", 8080, 1_048_576L, 1_000_000, "auto",
                null, Duration.ofSeconds(10), Duration.ofSeconds(30)));
        assertThat(config.engine()).isEqualTo(new ServeConfig.EngineSection(null));
        assertThat(config.executor()).isEqualTo(new ServeConfig.ExecutorSection(4, java.util.List.of()));
        assertThat(config.policy()).isEqualTo(new ServeConfig.PolicySection("priority", Map.of()));
        assertThat(config.clients()).isEmpty();
        assertThat(config.tenants()).isEqualTo(new ServeConfig.TenantSection(null, Map.of(), null));
        assertThat(config.callbacks().maxAttempts()).isEqualTo(6);
        assertThat(config.callbacks().baseDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.callbacks().maxDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.callbacks().allowedHosts()).isEmpty();
        assertThat(config.callbacks().secret()).isNull();
        assertThat(config.store()).isEqualTo(new ServeConfig.StoreSection(null, Duration.ofHours(24), null));
        assertThat(config.store().minFreeBytes()).isEqualTo(64L << 20);
    }

    @Test
    void builtInDefaults_areTheDefaultFile() {
        assertThat(ServeConfig.defaults(ENV::get)).isEqualTo(ServeConfig.load(DEFAULT_FILE, ENV::get));
    }

    @Test
    void everySection_isRead() throws Exception {
        ServeConfig config = load(EVERY_SECTION);

        assertThat(config.server()).isEqualTo(new ServeConfig.ServerSection("127.0.0.1", 8080, 1_048_576L, 1_000_000, "auto", 67_108_864L, Duration.ofSeconds(10), Duration.ofSeconds(20)));
        assertThat(config.engine()).isEqualTo(new ServeConfig.EngineSection(268_435_456L));
        assertThat(config.executor()).isEqualTo(new ServeConfig.ExecutorSection(4, java.util.List.of()));
        assertThat(config.policy()).isEqualTo(new ServeConfig.PolicySection("mlfq", Map.of("q0_ms", "20")));

        assertThat(config.clients()).extracting(ServeConfig.ClientSection::token).containsExactly("tok-interactive-0123456789abcdef012345", "tok-batch-0123456789abcdef0123456789abc");
        assertThat(config.clients().get(1).policy()).isEqualTo(new ClientPolicy("batch-jobs", 5, 50, 100, "batch-team",
                java.util.Set.of(io.queuedeck.engine.api.Scope.SUBMIT, io.queuedeck.engine.api.Scope.READ,
                        io.queuedeck.engine.api.Scope.OPERATE)));
        assertThat(config.clients().get(0).policy()).isEqualTo(new ClientPolicy("interactive", 0, 0, 0, "acme",
                java.util.Set.of(io.queuedeck.engine.api.Scope.SUBMIT, io.queuedeck.engine.api.Scope.READ)));
        assertThat(config.tenants().defaultRate()).isEqualTo(new RateLimit(100, 200));
        assertThat(config.tenants().rates()).containsExactly(Map.entry("acme", new RateLimit(500, 1000)));
        assertThat(config.tenants().byteShares()).isEqualTo(new io.queuedeck.engine.task.TenantByteShares(0.5, Map.of("acme", 0.8)));
        assertThat(config.callbacks().maxAttempts()).isEqualTo(6);
        assertThat(config.callbacks().baseDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.callbacks().maxDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.callbacks().allowedHosts()).containsExactly("hooks.example.com", "127.0.0.1:9000");
        assertThat(config.callbacks().secret()).isEqualTo("s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(config.store()).isEqualTo(new ServeConfig.StoreSection(dir.toAbsolutePath().resolve("state"), Duration.ofHours(12), null,
                null, 512));
        assertThat(config.store().minFreeBytes()).isEqualTo(512L << 20);
    }

    @Test
    void defaultFile_isShippedOnTheClasspath() throws Exception {
        try (var in = ServeConfigTest.class.getResourceAsStream(ServeConfig.DEFAULT_RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(DEFAULT_FILE));
        }
    }

    @Test
    void toString_neverShowsTokensOrSecrets() throws Exception {
        ServeConfig config = load(EVERY_SECTION);

        assertThat(config.toString()).doesNotContain("tok-interactive-0123456789abcdef012345").doesNotContain("tok-batch-0123456789abcdef0123456789abc").doesNotContain("s3cret");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"deadline-pipeline.yaml", "interactive-and-batch.yaml", "multi-tenant-saas.yaml"})
    void everyShippedTemplate_isRead(String name) throws Exception {
        Path template = DEFAULT_FILE.resolveSibling("templates").resolve(name);

        // a template is a whole file to copy: the reader's rules (a key written null is refused, decision 0139) hold for it
        assertThat(ServeConfig.load(template, ENV::get).policy().name()).isNotBlank();
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
                store: {data_dir: state}
                clients:
                  - name: ops
                    token_file: ops.token
                """);

        assertThat(config.store().dataDir()).isEqualTo(dir.toAbsolutePath().resolve("state"));
        assertThat(config.clients().getFirst().token()).isEqualTo("from-a-file-0123456789abcdef0123456789");
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

    /** /dev/zero as a token file ran the heap out and ended the process; a FIFO held the control plane's lock forever. */
    @Test
    void aTokenOrKeyFileThatIsNoRegularFile_orTooLarge_isRefused_unread() throws Exception {
        assertThat(refusal("clients: [{name: a, token_file: /dev/zero}]"))
                .isEqualTo("clients[0].token_file cannot read token file /dev/zero: it is not a regular file (a FIFO, a socket or a device)");
        // regular to the file system, but /proc/kmsg's read waits for the kernel, and held the control plane's lock
        assertThat(refusal("clients: [{name: a, token_file: /proc/self/environ}]")).endsWith("it is a kernel file (/proc, /sys), not a file of settings");
        Path big = Files.createTempFile("token", ".txt");
        try {
            Files.writeString(big, "x".repeat(ConfigReader.SECRET_FILE_BYTES + 1));
            assertThat(refusal("clients: [{name: a, token_file: " + big + "}]")).endsWith("it is larger than the 64 KiB a token file may be");
            assertThat(refusal("executor:\n  backends:\n    - url: http://x\n      api_key_file: /dev/zero\n"))
                    .contains("api_key_file cannot read key file /dev/zero: it is not a regular file");
        } finally {
            Files.deleteIfExists(big);
        }
    }

    @Test
    void clientTokens_mustComeFromExactlyOneSource_andBeDistinct() throws Exception {
        assertThat(refusal("clients: [{name: a}]"))
                .isEqualTo("clients[0] needs exactly one of token_env (an environment variable's name) or token_file");
        assertThat(refusal("clients: [{name: a, token_env: NOT_SET_ANYWHERE}]"))
                .isEqualTo("clients[0].token_env names NOT_SET_ANYWHERE, which is not set or empty");
        assertThat(refusal("clients: [{name: a, token_file: missing.token}]"))
                .startsWith("clients[0].token_file cannot read token file ").endsWith("no such file (deleted, moved or never there)");
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
    void clientRateWithoutBurst_getsOneSecondsWorth() throws Exception {
        ServeConfig config = load("clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, requests_per_second: 2.5}]");

        assertThat(config.clients()).extracting(ServeConfig.ClientSection::policy)
                .containsExactly(new ClientPolicy("a", 0, 2.5, 3));
        assertThat(List.of(config.tenants().rates())).containsExactly(Map.of());
    }
}
