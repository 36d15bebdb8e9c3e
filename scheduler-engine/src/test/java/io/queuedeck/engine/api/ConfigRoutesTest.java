package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.plane.ConfigPlane;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/config} and {@code /v1/canary} over HTTP: admin only, YAML or JSON, refusals with every problem. */
class ConfigRoutesTest {
    private static final String ADMIN = "admin-token-0123456789abcdef0123456789ab";
    private static final String READER = "reader-token-0123456789abcdef012345678";
    private static final String V1 = "policy:\n  name: priority\n";

    @TempDir
    Path dir;
    private Engine engine;
    private ApiServer server;
    private ConfigPlane plane;

    @BeforeEach
    void start() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), V1);
        ServeConfig running = ServeConfig.load(file, Map.<String, String>of()::get);
        ReleaseClassifier classifier = new ReleaseClassifier(running.priorityRules());
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).classifier(classifier).build();
        engine.start();
        plane = new ConfigPlane(engine, classifier, running, V1, file.toString(), dir,
                Map.<String, String>of()::get, "priority");
        server = ApiServer.builder(engine).port(0).configService(plane)
                .client(ADMIN, ClientPolicy.scoped("admin", null, EnumSet.of(Scope.ADMIN)))
                .client(READER, ClientPolicy.scoped("reader", null, EnumSet.of(Scope.READ, Scope.OPERATE)))
                .build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private Http.Response put(String token, String path, String body, String type) {
        Http http = new Http(server.baseUri(), token);
        return http.send(http.request(path).header("Content-Type", type).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void getConfig_showsVersionSourceConfigAndNoError() {
        JsonNode status = new Http(server.baseUri(), ADMIN).get("/v1/config").json();
        assertThat(status.path("version").asInt()).isEqualTo(1);
        assertThat(status.path("source").asText()).endsWith("q.yaml");
        assertThat(status.path("config").path("policy").path("name").asText()).isEqualTo("priority");
        assertThat(status.has("applied_at")).isTrue();
        assertThat(status.path("last_error").isNull()).isTrue();
    }

    @Test
    void putYamlOrJson_applies_historyHasTheDiff_rollbackRestores() {
        Http.Response yaml = put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml");
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.json().path("version").asInt()).isEqualTo(2);
        assertThat(yaml.json().path("source").asText()).isEqualTo("PUT /v1/config by admin");
        Http.Response json = put(ADMIN, "/v1/config", "{\"policy\": {\"name\": \"fifo\"}}", "application/json");
        assertThat(json.json().path("version").asInt()).isEqualTo(3);
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");

        JsonNode versions = new Http(server.baseUri(), ADMIN).get("/v1/config/history").json().path("versions");
        assertThat(versions).hasSize(3);
        JsonNode change = versions.get(1).path("changes").get(0);
        assertThat(change.path("path").asText()).isEqualTo("policy.name");
        assertThat(change.path("from").asText()).isEqualTo("priority");
        assertThat(change.path("to").asText()).isEqualTo("edf");

        Http.Response back = new Http(server.baseUri(), ADMIN).post("/v1/config/rollback/1", "{}");
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().path("version").asInt()).isEqualTo(4);
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("priority");
        Http.Response unknown = new Http(server.baseUri(), ADMIN).post("/v1/config/rollback/99", "{}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorField()).as(unknown.body()).isNull(); // no key of the config: it named a word of the message
        // -1 was "not kept" and 99999999999999 "not a version number": one refusal, saying the range there is
        for (String notANumber : List.of("-1", "0", "99999999999999", "2147483648", "+1", "1.5", "abc")) {
            Http.Response refused = new Http(server.baseUri(), ADMIN).post("/v1/config/rollback/" + notANumber, "{}");
            assertThat(refused.status()).as(notANumber).isEqualTo(400);
            assertThat(refused.errorField()).isEqualTo("version");
            assertThat(refused.json().at("/error/message").asText()).isEqualTo("version must be a version number from 1 to"
                    + " 2147483647 (GET /v1/config/history lists those kept), got '" + notANumber + "'");
        }
        assertThat(new Http(server.baseUri(), ADMIN).post("/v1/config/rollback/2147483647", "{}").status()).isEqualTo(404);

        // every change is in the audit trail, as the console's are; the refused rollback is not
        JsonNode audit = new Http(server.baseUri(), ADMIN).get("/v1/audit").json().path("entries");
        assertThat(audit).extracting(e -> e.path("action").asText() + " " + e.path("target").asText() + " " + e.path("source").asText())
                .containsExactly("config.rollback config version 4 api", "config.apply config version 3 api",
                        "config.apply config version 2 api");
    }

    @Test
    void invalidPut_400WithEveryProblem_lastErrorShowsIt_versionStays() {
        Http.Response bad = put(ADMIN, "/v1/config", "policy:\n  name: nonsense\n", "application/yaml");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("invalid_config");
        assertThat(bad.errorField()).isEqualTo("policy.name");
        assertThat(bad.json().path("error").path("message").asText()).contains("(line 2)");

        Http.Response refused = put(ADMIN, "/v1/config", "policy:\n  name: edf\nserver:\n  port: 9090\nstore:\n"
                + "  type: redis\n  uri: redis://x:6379\n", "application/yaml");
        assertThat(refused.status()).isEqualTo(400);
        JsonNode details = refused.json().path("error").path("details");
        assertThat(details).hasSize(2);
        assertThat(details.get(0).path("field").asText()).isEqualTo("server.port");
        assertThat(details.get(0).path("message").asText()).contains("cannot change while the engine runs").contains("(line 4)");
        assertThat(details.get(1).path("field").asText()).isEqualTo("store.uri");

        JsonNode status = new Http(server.baseUri(), ADMIN).get("/v1/config").json();
        assertThat(status.path("version").asInt()).isEqualTo(1);
        assertThat(status.path("last_error").path("problems")).hasSize(2);
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("priority"); // refused whole

        // a problem of the whole text names no field (it read "not" and "the" as keys)
        for (String whole : java.util.List.of("a: " + "[".repeat(2_000) + "]".repeat(2_000) + "\n", "[1, 2]\n", "server: [unclosed\n")) {
            Http.Response unreadable = put(ADMIN, "/v1/config", whole, "application/yaml");
            assertThat(unreadable.status()).as(whole.substring(0, Math.min(12, whole.length()))).isEqualTo(400);
            assertThat(unreadable.errorCode()).isEqualTo("invalid_config");
            assertThat(unreadable.errorField()).as(unreadable.body()).isNull();
        }
    }

    @Test
    void withoutAdminScope_403_andAnUnknownBodyType_415() {
        assertThat(new Http(server.baseUri(), READER).get("/v1/config").status()).isEqualTo(403);
        assertThat(put(READER, "/v1/config", V1, "application/yaml").status()).isEqualTo(403);
        assertThat(put(ADMIN, "/v1/config", V1, "application/xml").status()).isEqualTo(415);
    }

    /** A rule's name and match of invalid UTF-8 were applied with U+FFFD, changing what it matched; a latin1 charset passed. */
    @Test
    void aConfigNotInUtf8_isRefused_andNothingApplied() {
        byte[] latin = "policy:\n  name: edf\n# caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Http http = new Http(server.baseUri(), ADMIN);
        Http.Response invalid = http.send(http.request("/v1/config").header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(latin)));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.errorCode()).isEqualTo("invalid_config");
        assertThat(invalid.json().at("/error/message").asText()).contains("not valid UTF-8");

        assertThat(put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml; charset=latin1").status()).isEqualTo(415);
        assertThat(put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "Text/Plain ;Charset=\"UTF-16\"").status()).isEqualTo(415);
        assertThat(put(ADMIN, "/v1/config", "{\"policy\": {\"name\": \"edf\"}}", "application/json; charset=latin1").status())
                .isEqualTo(415);
        assertThat(put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml; charset=utf-8").status()).isEqualTo(200);
        assertThat(new Http(server.baseUri(), ADMIN).get("/v1/config").json().path("version").asInt()).isEqualTo(2);
    }

    @Test
    void canary_startShowPromote_overHttp() {
        Http admin = new Http(server.baseUri(), ADMIN);
        Http.Response none = admin.post("/v1/canary/promote", "{}");
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.errorField()).as(none.body()).isNull();
        Http.Response started = put(ADMIN, "/v1/canary", "{\"config\": \"policy:\\n  name: priority\\npriority_rules:\\n"
                + "  - {name: all, priority: 2}\\n\", \"fraction\": 0.25}", "application/json");
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.json().path("running").asBoolean()).isTrue();
        assertThat(started.json().path("fraction").asDouble()).isEqualTo(0.25);
        assertThat(admin.get("/v1/canary").json().path("comparison").path("stable").path("finished").asInt()).isZero();
        Http.Response promoted = admin.post("/v1/canary/promote", "{}");
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().path("version").asInt()).isEqualTo(2);
        assertThat(admin.get("/v1/canary").json().path("last_ended").path("outcome").asText()).isEqualTo("promoted");
        assertThat(admin.get("/v1/audit").json().path("entries")).extracting(e -> e.path("action").asText())
                .containsExactly("canary.promote", "canary.start");
    }

    /**
     * Two operators: a PUT while a canary ran was applied, the canary's comparison went stale, and its
     * promotion silently undid the PUT; If-Match was ignored, so the last writer always won.
     */
    @Test
    void whileACanaryRuns_theConfigDoesNotChange_andIfMatchGuardsAChange() {
        Http admin = new Http(server.baseUri(), ADMIN);
        Http.Response read = admin.get("/v1/config");
        assertThat(read.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(put(ADMIN, "/v1/canary", "{\"config\": \"policy:\\n  name: fifo\\n\", \"fraction\": 0.5}",
                "application/json").status()).isEqualTo(200);

        Http.Response underCanary = put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml");
        assertThat(underCanary.status()).as(underCanary.body()).isEqualTo(409);
        assertThat(underCanary.json().at("/error/code").asText()).isEqualTo("canary_running");
        assertThat(admin.post("/v1/config/rollback/1", "{}").status()).isEqualTo(409);
        assertThat(admin.post("/v1/canary/rollback", "{}").status()).isEqualTo(200);

        Http.Response stale = admin.send(admin.request("/v1/config").header("Content-Type", "application/yaml")
                .header("If-Match", "\"7\"").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("policy:\n  name: edf\n")));
        assertThat(stale.status()).as(stale.body()).isEqualTo(412);
        assertThat(stale.json().at("/error/code").asText()).isEqualTo("version_changed");
        Http.Response current = admin.send(admin.request("/v1/config").header("Content-Type", "application/yaml")
                .header("If-Match", "\"1\"").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("policy:\n  name: edf\n")));
        assertThat(current.status()).as(current.body()).isEqualTo(200);
        assertThat(admin.get("/v1/config").headers().firstValue("ETag")).hasValue("\"2\"");
        Http.Response bad = admin.send(admin.request("/v1/config").header("Content-Type", "application/yaml")
                .header("If-Match", "version two").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("policy:\n  name: edf\n")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(current.headers().firstValue("ETag")).as("a change answers with the version it made").hasValue("\"2\"");
        Http.Response weak = admin.send(admin.request("/v1/config").header("Content-Type", "application/yaml")
                .header("If-Match", "W/\"2\"").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("policy:\n  name: fifo\n")));
        assertThat(weak.status()).as("a weak tag matches nothing").isEqualTo(412);
        // a canary started from a config another operator has changed since would undo that change at its promotion
        Http.Response staleCanary = admin.send(admin.request("/v1/canary").header("Content-Type", "application/json")
                .header("If-Match", "\"1\"").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"config\": \"policy:\\n  name: fifo\\n\", \"fraction\": 0.5}")));
        assertThat(staleCanary.status()).as(staleCanary.body()).isEqualTo(412);
        assertThat(admin.get("/v1/canary").json().path("running").asBoolean()).isFalse();
        Http.Response nullConfig = put(ADMIN, "/v1/canary", "{\"config\": null, \"fraction\": 0.5}", "application/json");
        assertThat(nullConfig.status()).isEqualTo(400);
        assertThat(nullConfig.body()).contains("config is required");
    }

    /**
     * A candidate with tier limits of its own starts (200, not 400): its tasks (business class
     * "chat") are held to its core max_queue of 1 and answered 429 past it, while stable tasks are
     * accepted; the comparison counts the shed task under canary. A candidate changing a slot
     * setting is refused with the key named. Dispatch is paused so the queue holds still.
     */
    @Test
    void canaryWithTierLimits_startsOverHttp_andShedsItsTasksAtItsLimit() {
        Http admin = new Http(server.baseUri(), ADMIN);
        Http.Response refused = put(ADMIN, "/v1/canary", "{\"config\": \"policy:\\n  name: priority\\ntiers:\\n"
                + "  core: {max_concurrency: 2}\\n\", \"by\": \"business_class\", \"values\": [\"chat\"]}", "application/json");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("invalid_config");
        assertThat(refused.body()).contains("tiers.core.max_concurrency must be the running 0, got 2");

        Http.Response started = put(ADMIN, "/v1/canary", "{\"config\": \"policy:\\n  name: priority\\ntiers:\\n"
                + "  core: {max_queue: {tasks: 1}, queue_ttl: 1h}\\n\", \"by\": \"business_class\", \"values\": [\"chat\"]}",
                "application/json");
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.json().path("changes").toString()).contains("tiers");
        engine.send(new Command.PauseDispatch(true)).join();

        String chat = "{\"model\": \"llama-2-7b\", \"input\": \"hi\", \"priority\": 1, \"max_tokens\": 8,"
                + " \"business_class\": \"chat\"}";
        Http.Response first = admin.post("/v1/tasks", chat);
        assertThat(first.status()).isEqualTo(202);
        String id = first.json().path("task_id").asText();
        assertThat(admin.get("/v1/tasks/" + id).json().path("release").asText()).isEqualTo("canary");
        Http.Response second = admin.post("/v1/tasks", chat);
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.errorCode()).isEqualTo("queue_full");
        assertThat(second.json().path("error").path("message").asText())
                .contains("tiers.core.max_queue.tasks is 1, and 1 wait (the canary config's limit)");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        for (int i = 0; i < 3; i++) {
            assertThat(admin.post("/v1/tasks", chat.replace("chat", "report")).status()).isEqualTo(202); // stable
        }
        var comparison = admin.get("/v1/canary").json().path("comparison");
        assertThat(comparison.path("canary").path("flow").path("shed").asInt()).isEqualTo(1);
        assertThat(comparison.path("stable").path("flow").path("shed").asInt()).isZero();
    }

    /**
     * A TTL set on a tier that had none reached only tasks that came after it: those already waiting waited on
     * without one (and so did tasks recovered at a restart, since the resumed version is applied after them).
     */
    @Test
    void aQueueTtlSetOnATierThatHadNone_reachesTheTasksAlreadyWaiting() {
        engine.send(new Command.PauseDispatch(true)).join(); // the task waits, as in a queue that does not drain
        Http admin = new Http(server.baseUri(), ADMIN);
        assertThat(admin.post("/v1/tasks", "{\"task_id\":\"w1\",\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":5}")
                .status()).isEqualTo(202);

        Http.Response applied = put(ADMIN, "/v1/config", V1 + "tiers:\n  normal: {queue_ttl: 200ms}\n", "application/yaml");

        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> admin.get("/v1/tasks/w1").json().path("state").asText().equals("TIMED_OUT"));
        assertThat(admin.get("/v1/tasks/w1").json().path("error").asText()).contains("tiers.normal.queue_ttl (PT0.2S)");
    }

    /**
     * {@code policy: {name: }} ran the default policy: a key written null is a 400 on its key path, the
     * same in YAML and in JSON, and the running version stays.
     */
    @Test
    void aKeyWrittenNull_is400OnItsKeyPath_inYamlAndJsonAlike_andNothingApplies() {
        assertThat(put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml").status()).isEqualTo(200);
        for (String[] body : new String[][] {{"policy:\n  name:\n", "application/yaml"}, {"policy: {name: ~}\n", "application/yaml"},
                {"{\"policy\": {\"name\": null}}", "application/json"}}) {
            Http.Response refused = put(ADMIN, "/v1/config", body[0], body[1]);

            assertThat(refused.status()).as(body[0]).isEqualTo(400);
            assertThat(refused.errorCode()).isEqualTo("invalid_config");
            assertThat(refused.errorField()).isEqualTo("policy.name");
            assertThat(refused.json().at("/error/message").asText())
                    .startsWith("PUT /v1/config by admin: policy.name must not be null: give it a value or leave the key out");
        }
        JsonNode status = new Http(server.baseUri(), ADMIN).get("/v1/config").json();
        assertThat(status.path("version").asInt()).isEqualTo(2);
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("edf");
    }

    /** The same text sent again is no new version: the trail said "config.apply config version 2" twice. */
    @Test
    void theSameConfigSentAgain_isNoNewVersion_andNoSecondEntryInTheAuditTrail() {
        assertThat(put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml").json().path("version").asInt()).isEqualTo(2);

        Http.Response again = put(ADMIN, "/v1/config", "policy:\n  name: edf\n", "application/yaml");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.headers().firstValue("ETag")).hasValue("\"2\"");
        assertThat(engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries())
                .filteredOn(e -> e.action().startsWith("config."))
                .extracting(e -> e.actor() + " " + e.action() + " " + e.target())
                .containsExactly("admin config.apply config version 2");
    }

    /**
     * PUTs of one text at once: one of them makes the new version and is audited, the others find it
     * running. The skip compared versions read before and after the PUT, so a PUT that changed nothing
     * but ran beside the one that did was audited as that version's apply too.
     */
    @Test
    void concurrentPuts_writeOneAuditEntryPerNewVersion() throws Exception {
        String[] texts = {"policy:\n  name: edf\n", "policy:\n  name: fifo\n"};
        int rounds = 8;
        int senders = 6;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(senders)) {
            for (int round = 0; round < rounds; round++) {
                String text = texts[round % 2];
                java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Integer>> sent = new java.util.ArrayList<>();
                for (int i = 0; i < senders; i++) {
                    sent.add(pool.submit(() -> {
                        gate.await();
                        return put(ADMIN, "/v1/config", text, "application/yaml").status();
                    }));
                }
                gate.countDown();
                for (java.util.concurrent.Future<Integer> status : sent) {
                    assertThat(status.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
                }
            }
        }

        int running = new Http(server.baseUri(), ADMIN).get("/v1/config").json().path("version").asInt();
        assertThat(running).isEqualTo(rounds + 1); // each round's text differs from the last round's: one version each
        List<String> expected = java.util.stream.IntStream.rangeClosed(2, running).mapToObj(v -> "config version " + v).toList();
        assertThat(engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries())
                .filteredOn(e -> e.action().equals("config.apply"))
                .extracting(e -> e.target())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * A canary's start, rollback and promotion are audited with the version they acted on: each was
     * audited with the version read after it, which a change by another client could make first (a
     * promotion right after a start, a PUT as soon as a canary ended). Each call here is held once
     * the plane has answered it, until another client's change, sent over HTTP at that moment, has landed.
     */
    @Test
    void canaryCalls_concurrentWithAnotherClientsChange_areAuditedWithTheVersionTheyActedOn() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Runnable> between = new java.util.concurrent.atomic.AtomicReference<>();
        ConfigService held = (ConfigService) java.lang.reflect.Proxy.newProxyInstance(ConfigService.class.getClassLoader(),
                new Class<?>[] {ConfigService.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(plane, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    Runnable other = method.getName().endsWith("Canary") ? between.getAndSet(null) : null;
                    if (other != null) {
                        java.util.concurrent.CompletableFuture.runAsync(other).get(60, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    return result;
                });
        ApiServer racing = ApiServer.builder(engine).port(0).configService(held)
                .client(ADMIN, ClientPolicy.scoped("admin", null, EnumSet.of(Scope.ADMIN))).build().start();
        try {
            Http admin = new Http(racing.baseUri(), ADMIN);
            java.util.function.Function<String, Integer> canary = text -> admin.send(admin.request("/v1/canary")
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                            "{\"config\": \"" + text.replace("\n", "\\n") + "\", \"fraction\": 0.5}"))).status();
            java.util.function.Function<String, Integer> apply = text -> admin.send(admin.request("/v1/config")
                    .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(text))).status();

            // version 1 runs; another client promotes the canary the moment it has started: version 2
            between.set(() -> assertThat(admin.post("/v1/canary/promote", "{}").status()).isEqualTo(200));
            assertThat(canary.apply("policy:\n  name: fifo\n")).isEqualTo(200);
            // a canary beside version 2, rolled back; another client's PUT lands as soon as it has ended: version 3
            assertThat(canary.apply("policy:\n  name: edf\n")).isEqualTo(200);
            between.set(() -> assertThat(apply.apply("policy:\n  name: priority\n")).isEqualTo(200));
            assertThat(admin.post("/v1/canary/rollback", "{}").status()).isEqualTo(200);
            // a canary beside version 3, promoted as version 4; another client's PUT lands right after: version 5
            assertThat(canary.apply("policy:\n  name: fifo\n")).isEqualTo(200);
            between.set(() -> assertThat(apply.apply("policy:\n  name: edf\n")).isEqualTo(200));
            Http.Response promoted = admin.post("/v1/canary/promote", "{}");
            assertThat(promoted.status()).isEqualTo(200);
            assertThat(promoted.headers().firstValue("ETag")).hasValue("\"4\"");

            assertThat(admin.get("/v1/audit").json().path("entries"))
                    .extracting(e -> e.path("action").asText() + " " + e.path("target").asText())
                    .containsExactlyInAnyOrder("canary.promote config version 2", "canary.start config version 1",
                            "canary.start config version 2", "config.apply config version 3", "canary.rollback config version 2",
                            "canary.start config version 3", "config.apply config version 5", "canary.promote config version 4");
        } finally {
            racing.close();
        }
    }
}
