package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** {@code /v1/faults} on a real server: inject, list, clear, field-precise refusals, the kill switch, scopes. */
class FaultRoutesTest {
    private static final String READER = "reader-token-0123456789abcdef0123456789";
    private static final String OPERATOR = "operator-token-0123456789abcdef012345678";
    private static final String TENANT_OPERATOR = "tenant-operator-token-0123456789abcdef01";
    private Engine engine;
    private ApiServer server;
    private ScheduledExecutorService timers;
    private Http http;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(10)).build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.live(timers, System::nanoTime), () -> 0);
        server = ApiServer.builder(engine).port(0).faults(faults)
                .client(READER, new ClientPolicy("reader", 0, 0, 0, null, java.util.Set.of(Scope.READ)))
                .client(OPERATOR, new ClientPolicy("ops", 0, 0, 0, null, java.util.Set.of(Scope.OPERATE)))
                .client(TENANT_OPERATOR, ClientPolicy.scoped("acme-ops", "acme", java.util.Set.of(Scope.OPERATE, Scope.READ)))
                .build().start();
        http = new Http(server.baseUri(), OPERATOR);
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        timers.shutdownNow();
    }

    @Test
    void inject_listed_thenCleared() {
        Http.Response injected = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"instance:1\",\"parameters\":{\"factor\":4}}");

        assertThat(injected.status()).isEqualTo(201);
        String id = injected.json().get("id").asText();
        assertThat(injected.headers().firstValue("Location")).hasValue("/v1/faults/" + id);
        assertThat(http.get("/v1/faults").json().get("faults").get(0).get("target").asText()).isEqualTo("instance:1");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.latestSnapshot().instances().get(1).slowdown() == 4.0);
        assertThat(http.delete("/v1/faults/" + id).status()).isEqualTo(204);
        assertThat(http.get("/v1/faults").json().get("faults")).isEmpty();
        assertThat(http.delete("/v1/faults/" + id).status()).isEqualTo(404);
    }

    /** Every other JSON endpoint answered 415 to these; this one injected the fault. */
    /**
     * The fault and backend actions read their bodies as every route does: a client gone mid-body
     * is a 400, not a 500 with an empty body, and nothing is injected.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/v1/faults", "/v1/backends:drain"})
    void aBodyCutShort_is400BodyIncomplete(String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + OPERATOR + "\r\nContent-Length: 100\r\n\r\n{\"kind\":").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.shutdownOutput();

            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"body_incomplete\"");
        }
        assertThat(http.get("/v1/faults").json().path("faults")).isEmpty();
    }

    @Test
    void aBodyNotDeclaredJson_is415_andNothingInjected() {
        byte[] body = "{\"kind\":\"slow\",\"target\":\"instance:1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (String type : new String[] {"text/plain", null, "application/x-www-form-urlencoded"}) {
            Http.Response refused = http.post("/v1/faults", body, type);
            assertThat(refused.status()).as(String.valueOf(type)).isEqualTo(415);
            assertThat(refused.json().at("/error/code").asText()).isEqualTo("unsupported_media_type");
        }
        assertThat(http.get("/v1/faults").json().get("faults")).isEmpty();
    }

    // decision 0075: a fault changes every tenant's service, so a tenant's own operator may not inject or clear one
    @Test
    void tenantBoundOperator_mayReadButNotInjectClearOrFlipTheSwitch_403TenantBound() {
        Http tenant = new Http(server.baseUri(), TENANT_OPERATOR);
        String id = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"instance:1\",\"parameters\":{\"factor\":4}}")
                .json().get("id").asText();

        java.util.List<Http.Response> refused = java.util.List.of(
                tenant.post("/v1/faults", "{\"kind\":\"hang\",\"target\":\"instance:0\"}"),
                tenant.delete("/v1/faults/" + id), tenant.delete("/v1/faults"),
                tenant.post("/v1/faults:disarm", ""), tenant.post("/v1/faults:arm", ""));

        assertThat(refused).allSatisfy(response -> {
            assertThat(response.status()).as(response.body()).isEqualTo(403);
            assertThat(response.errorCode()).isEqualTo("tenant_bound");
            assertThat(response.body()).contains("acme-ops").contains("every tenant");
        });
        assertThat(tenant.get("/v1/faults").status()).isEqualTo(200);
        assertThat(http.get("/v1/faults").json().get("faults")).hasSize(1);
        assertThat(http.post("/v1/faults", "{\"kind\":\"tenant_flood\",\"target\":\"tenant:globex\",\"parameters\":{\"rate\":1}}")
                .status()).isEqualTo(201);
        assertThat(http.post("/v1/faults", "{\"kind\":\"tenant_flood\",\"target\":\"tenant:acme\",\"parameters\":{\"rate\":1}}")
                .status()).isEqualTo(201);
        assertThat(http.get("/v1/faults").body()).contains("tenant:globex");
        Http.Response seen = tenant.get("/v1/faults"); // another tenant's name is not shown to a bound client
        assertThat(seen.body()).doesNotContain("globex").contains("tenant:acme").contains("instance:1");
        assertThat(http.get("/v1/faults").json().get("armed").asBoolean()).isTrue();
    }

    /** Through the REST API: the operator's offline stands when the crash ends, and the crash is cleared by them. */
    @Test
    void crashWithADuration_anInstanceTakenOfflineByTheOperator_staysOffline_andTheCrashIsTheirs() {
        http.post("/v1/faults", "{\"kind\":\"crash\",\"target\":\"instance:0\",\"duration_s\":1}");

        assertThat(http.post("/v1/instances/0:offline", "").status()).isEqualTo(200);

        assertThat(http.get("/v1/faults").json().get("faults")).as("it holds nothing more").isEmpty();
        assertThat(engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries())
                .anySatisfy(e -> assertThat(e.action() + " " + e.actor()).isEqualTo("fault.clear ops"));
        // ended, its timer is cancelled: nothing brings the instance back (FaultCatalogueTest follows an expiry through)
        assertThat(http.get("/v1/instances").json().at("/instances/0/state").asText()).isEqualTo("offline");
    }

    @Test
    void duration_clearsByItself() {
        http.post("/v1/faults", "{\"kind\":\"hang\",\"target\":\"instance:0\",\"duration_s\":0.2}");

        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/v1/faults").json().get("faults").isEmpty());
    }

    @Test
    void auditTrail_namesWhoInjectedAndCleared_andAFaultThatExpired() {
        String cleared = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"instance:1\",\"parameters\":{\"factor\":4}}")
                .json().get("id").asText();
        http.delete("/v1/faults/" + cleared);
        String expired = http.post("/v1/faults", "{\"kind\":\"hang\",\"target\":\"instance:0\",\"duration_s\":0.2}")
                .json().get("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/v1/faults").json().get("faults").isEmpty());

        // every entry said "fault-catalogue", and an expiry looked like a clear
        assertThat(engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries())
                .filteredOn(e -> e.action().startsWith("fault."))
                .extracting(e -> e.actor() + " " + e.action() + " " + e.target())
                .contains("ops fault.inject " + cleared, "ops fault.clear " + cleared, "ops fault.inject " + expired,
                        "expiry fault.expire " + expired);
    }

    @Test
    void badInjection_400_namingEachField() {
        Http.Response response = http.post("/v1/faults", "{\"kind\":\"tenant_flood\",\"target\":\"node\",\"parameters\":{\"factor\":2}}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("target");
        assertThat(response.json().at("/error/details/1/field").asText()).isEqualTo("parameters.factor");
        assertThat(http.post("/v1/faults", "{\"kind\":\"crsh\"}").errorField()).isEqualTo("kind");
        Http.Response wrongType = http.post("/v1/faults", "{\"kind\":\"slow\",\"parameters\":{\"factor\":\"x\"}}");
        assertThat(wrongType.errorField()).isEqualTo("parameters.factor");
        assertThat(wrongType.json().at("/error/message").asText()).isEqualTo("parameters.factor must be a number, got 'x'"); // was "an object"
    }

    @Test
    void durationBeyondSevenDays_400_onDurationS_andNothingInjected() {
        Http.Response response = http.post("/v1/faults", "{\"kind\":\"hang\",\"target\":\"instance:0\",\"duration_s\":1e300}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("duration_s");
        assertThat(http.get("/v1/faults").json().path("faults").isArray()).isTrue();
        assertThat(http.get("/v1/faults").json().path("faults")).isEmpty();
    }

    /** 1e-9 s was refused on "duration", a field the client never sent; a factor of 1e308 read as 9223372036854775807. */
    @Test
    void aDurationBelowAMillisecond_isRefusedOnDurationS_andAHugeFactorIsShownAsSent() {
        Http.Response tiny = http.post("/v1/faults", "{\"kind\":\"slow\",\"duration_s\":1e-9}");
        assertThat(tiny.status()).isEqualTo(400);
        assertThat(tiny.errorField()).isEqualTo("duration_s");

        Http.Response huge = http.post("/v1/faults", "{\"kind\":\"slow\",\"parameters\":{\"factor\":1e308}}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().at("/error/message").asText()).contains("got 1.0E308").doesNotContain("9223372036854775807");
    }

    /** NaN and the infinities were "at least 0" whatever the parameter's range; each now says its own. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "{'kind':'slow','target':'instance:0','parameters':{'factor':'NaN'}}          | parameters.factor: must be between 1 and 1000, got NaN",
        "{'kind':'slow','target':'instance:0','parameters':{'factor':'-Infinity'}}    | parameters.factor: must be between 1 and 1000, got -Infinity",
        "{'kind':'kv_exhaustion','target':'instance:0','parameters':{'fraction':'NaN'}} | parameters.fraction: must be above 0 and at most 1, got NaN",
        "{'kind':'flap','target':'instance:0','parameters':{'period_s':'Infinity'}}   | parameters.period_s: must be from 1 to 86400 (a day; longer is an outage: use crash), got Infinity",
        "{'kind':'flap','target':'instance:0','parameters':{'period_s':1e12}}         | parameters.period_s: must be from 1 to 86400",
        "{'kind':'callback_slow','target':'node','parameters':{'latency_ms':'NaN'}}   | parameters.latency_ms: must be from 0 to 600000",
        "{'kind':'callback_5xx','target':'node','parameters':{'status':'NaN'}}        | parameters.status: must be 500..599, got NaN",
        "{'kind':'http','target':'backend:0','parameters':{'retry_after_s':-1}}       | parameters.retry_after_s: must be a number of at least 0, got -1",
    })
    void aParameterOutOfRange_saysItsOwnRange(String body, String message) {
        Http.Response response = http.post("/v1/faults", body.replace('\'', '"'));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains(message);
        assertThat(response.errorField()).isEqualTo(message.substring(0, message.indexOf(':')));
    }

    /** 300 faults were taken at once, each with its timers. */
    @Test
    void faultsInForce_areBounded_409TooManyFaults() {
        for (int i = 0; i < io.queuedeck.engine.fault.FaultCatalogue.MAX_IN_FORCE; i++) {
            Http.Response taken = http.post("/v1/faults", "{\"kind\":\"slow\",\"duration_s\":600}");
            assertThat(taken.status()).as(taken.body()).isEqualTo(201);
        }
        Http.Response refused = http.post("/v1/faults", "{\"kind\":\"slow\",\"duration_s\":600}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("too_many_faults");
        assertThat(http.get("/v1/faults").json().path("faults")).hasSize(io.queuedeck.engine.fault.FaultCatalogue.MAX_IN_FORCE);
    }

    @Test
    void killSwitch_clearsAndRefusesUntilRearmed() {
        http.post("/v1/faults", "{\"kind\":\"slow\"}");

        assertThat(http.post("/v1/faults:disarm", "").json().get("armed").asBoolean()).isFalse();
        assertThat(http.get("/v1/faults").json().get("faults")).isEmpty();
        Http.Response refused = http.post("/v1/faults", "{\"kind\":\"slow\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("faults_disarmed");
        http.post("/v1/faults:arm", "");
        assertThat(http.post("/v1/faults", "{\"kind\":\"slow\"}").status()).isEqualTo(201);
    }

    @Test
    void readScope_mayList_butNotInject() {
        Http reader = new Http(server.baseUri(), READER);

        assertThat(reader.get("/v1/faults").status()).isEqualTo(200);
        assertThat(reader.post("/v1/faults", "{\"kind\":\"crash\",\"target\":\"instance:0\"}").status()).isEqualTo(403);
    }

    /**
     * A value sent null is refused naming it: a null parameter was a 500, a null target crashed the whole node
     * and a null duration made the fault last until cleared.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "{'kind':'slow','target':'instance:1','parameters':{'factor':null}} | parameters.factor",
        "{'kind':'crash','target':null}                                     | target",
        "{'kind':'slow','target':'instance:0','duration_s':null}            | duration_s",
        "{'kind':null}                                                      | kind",
    })
    void aValueSentNull_is400NamingIt_andNothingInjected(String body, String field) {
        Http.Response response = http.post("/v1/faults", body.replace('\'', '"'));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("invalid_field");
        assertThat(response.errorField()).isEqualTo(field);
        assertThat(response.json().at("/error/message").asText()).isEqualTo(field + " is null; give it a value or leave it out");
        assertThat(http.get("/v1/faults").json().path("faults")).isEmpty();
        assertThat(engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries())
                .noneMatch(e -> e.action().equals("fault.inject"));
    }

    /**
     * Kinds and targets are read exactly as the catalogue lists them, as the API's other enums are:
     * {@code KILL}-style spellings were read in any case ({@code CRASH} crashed, {@code Instance:1} hit instance 1).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "{\"kind\":\"CRASH\",\"target\":\"instance:1\"} | kind | kind: unknown fault 'CRASH' (kinds are written in lower case with '_': 'crash'); known: [",
            "{\"kind\":\"kv-exhaustion\",\"target\":\"node\"} | kind | kind: unknown fault 'kv-exhaustion' (kinds are written in lower case with '_': 'kv_exhaustion'); known: [",
            "{\"kind\":\"KILL\",\"target\":\"node\"} | kind | kind: unknown fault 'KILL'; known: [crash, hang, slow,",
            "{\"kind\":\"crash\",\"target\":\"Instance:1\"} | target | target: unknown scope 'Instance' (scopes are written in lower case: 'instance'); use instance, backend, tier, tenant, host or node",
            "{\"kind\":\"crash\",\"target\":\"NODE\"} | target | target: unknown scope 'NODE' (scopes are written in lower case: 'node'); use instance, backend, tier, tenant, host or node",
            "{\"kind\":\"burst\",\"target\":\"tier:CORE\"} | target | target: a tier is a tier's name such as core, normal or batch (lower-case letters, digits and '_'), got 'CORE'"})
    void aKindOrTargetInAnotherCase_is400NamingTheField_andInjectsNothing(String body, String field, String message) {
        Http.Response refused = http.post("/v1/faults", body);

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.errorField()).isEqualTo(field);
        assertThat(refused.json().at("/error/message").asText()).startsWith(message);
        assertThat(http.get("/v1/faults").json().path("faults")).isEmpty();
    }

    /** The dead-letter tier has no band: a burst "into" it submitted its tasks at priority 0, the most urgent lane. */
    @Test
    void aLoadIntoTheDeadLetterTier_is400OnTarget_andSubmitsNothing() {
        for (String kind : new String[] {"burst", "poison", "preemption_storm"}) {
            Http.Response refused = http.post("/v1/faults", "{\"kind\":\"" + kind + "\",\"target\":\"tier:dead_letter\","
                    + "\"parameters\":{\"rate\":100}}");

            assertThat(refused.status()).as(kind + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.errorField()).isEqualTo("target");
            assertThat(refused.json().at("/error/message").asText())
                    .isEqualTo("target: tier 'dead_letter' holds no priorities, so no load is submitted into it; name one of core, normal, batch");
        }
        assertThat(http.get("/v1/faults").json().path("faults")).isEmpty();
        assertThat(engine.audit().find(io.queuedeck.engine.audit.AuditQuery.all()).entries())
                .noneMatch(e -> e.action().equals("fault.inject"));
    }

    /**
     * Two slow faults on one instance: the last injected set it and the first cleared reset it to full speed,
     * while the other was still listed in force. The slowest acts; one cleared leaves the other acting.
     */
    @Test
    void overlappingSlowFaults_theSlowestActs_andClearingOneLeavesTheOtherActing() {
        String instanceFault = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"instance:0\",\"parameters\":{\"factor\":4}}")
                .json().path("id").asText();
        String nodeFault = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"node\",\"parameters\":{\"factor\":2}}")
                .json().path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> slowdown(0) == 4.0 && slowdown(1) == 2.0);

        assertThat(http.delete("/v1/faults/" + instanceFault).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(5)).until(() -> slowdown(0) == 2.0); // the node's fault is still in force

        Http.Response shortOne = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"instance:1\","
                + "\"parameters\":{\"factor\":8},\"duration_s\":0.2}");
        assertThat(shortOne.status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/v1/faults").json().path("faults").size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> slowdown(1) == 2.0); // its end leaves the node's acting

        assertThat(http.delete("/v1/faults/" + nodeFault).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(5)).until(() -> slowdown(0) == 1.0 && slowdown(1) == 1.0);
    }

    private double slowdown(int instance) {
        return engine.latestSnapshot().instances().get(instance).slowdown();
    }

    /** The Location of an injection named /v1/faults/{id}, where a GET was 405. */
    @Test
    void theLocationOfAnInjection_answersTheFault_untilItIsCleared() {
        Http.Response injected = http.post("/v1/faults", "{\"kind\":\"slow\",\"target\":\"instance:1\",\"parameters\":{\"factor\":3}}");
        String location = injected.headers().firstValue("Location").orElseThrow();

        Http.Response one = new Http(server.baseUri(), READER).get(location);

        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(one.json().path("id").asText()).isEqualTo(injected.json().path("id").asText());
        assertThat(one.json().path("parameters").path("factor").asDouble()).isEqualTo(3.0);
        http.delete(location);
        Http.Response gone = http.get(location);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("not_found");
    }

    /** By id as in the list: a tenant-bound client does not see a fault naming another tenant; an id is quoted short. */
    @Test
    void aFaultNamingAnotherTenant_isNotFoundByIdForATenantBoundClient_andALongIdIsQuotedShort() {
        Http.Response injected = http.post("/v1/faults", "{\"kind\":\"tenant_flood\",\"target\":\"tenant:someone-else\",\"parameters\":{\"rate\":0.1}}");
        assertThat(injected.status()).as(injected.body()).isEqualTo(201);
        String location = injected.headers().firstValue("Location").orElseThrow();
        Http tenant = new Http(server.baseUri(), TENANT_OPERATOR);

        assertThat(http.get(location).status()).isEqualTo(200);
        assertThat(tenant.get(location).status()).isEqualTo(404);
        assertThat(tenant.get("/v1/faults").body()).doesNotContain("someone-else");
        Http.Response longId = tenant.get("/v1/faults/" + "9".repeat(5_000));
        assertThat(longId.status()).isEqualTo(404);
        assertThat(longId.body().length()).isLessThan(400);
    }
}
