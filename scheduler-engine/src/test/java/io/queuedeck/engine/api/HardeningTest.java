package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Errors Jetty raises itself come back as JSON; short tokens are refused; token guessing slows down. */
class HardeningTest {
    private static final String TOKEN = "hardening-token-0123456789abcdef0123456";

    private Engine engine;
    private ApiServer open;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        open = ApiServer.builder(engine).port(0).build().start();
    }

    @AfterEach
    void stop() {
        open.close();
        engine.close();
    }

    private RawHttp.Answer get(String target, String... headers) {
        return RawHttp.send(open.port(), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1"
                + (headers.length == 0 ? "" : "\r\n" + String.join("\r\n", headers)), "");
    }

    private static void assertJsonError(RawHttp.Answer answer, int status) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).as(answer.headers()).startsWith("application/json");
        assertThat(answer.body()).matches("\\{\"error\":\\{\"code\":\"[a-z_0-9]+\",\"message\":\"[^\"]+\".*}}")
                .doesNotContainIgnoringCase("jetty").doesNotContainIgnoringCase("javalin").doesNotContain("<");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/tasks/%00", "/v1/tasks/%2e%2e/%2e%2e/etc", "/v1/tasks/%zz", "/v1/tasks/a%2fb",
            "/v1/tasks/%u0041", "/v1/queues/%u0041", "/v1/instances/%u0031:offline", "/v1/tasks/a%",
            "/v1/tasks?limit=abc", "/v1/tasks?state=bogus", "/v1/tasks?cursor=!!"})
    void badPathOrQuery_answersTheJsonErrorShape(String target) {
        RawHttp.Answer answer = get(target);

        assertThat(answer.status()).isBetween(400, 404);
        assertJsonError(answer, answer.status());
    }

    /** "%u0041" got past the server and failed the router's decoding: a 500 with a stack trace in the log. */
    @Test
    void aNonStandardEscapeInAFrontDoorPath_is400InOpenAisShape() {
        RawHttp.Answer answer = get("/v1/models/%u0041");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"type\":\"invalid_request_error\"", "\"code\":\"invalid_path\"");
    }

    /** The 404 quoted a path's whole id back, up to the 8 KB a path may hold. */
    @Test
    void aLongUnknownId_isQuotedByItsStartOnly() {
        RawHttp.Answer answer = get("/v1/tasks/" + "a".repeat(7_000));

        assertJsonError(answer, 404);
        assertThat(answer.body()).contains("'" + "a".repeat(160) + "…'").hasSizeLessThan(400);
    }

    @Test
    void undecodableQuery_isNeverAServerErrorNorHtml() {
        RawHttp.Answer answer = get("/v1/tasks?limit=%zz&state=%");

        assertThat(answer.status()).isLessThan(500);
        assertThat(answer.contentType()).startsWith("application/json");
        // it said "state is empty": the value is not empty, it cannot be decoded
        RawHttp.Answer state = get("/v1/tasks?state=%zz");
        assertThat(state.status()).isEqualTo(400);
        assertThat(state.body()).contains("\"field\":\"state\"").contains("not valid percent-encoding");
        RawHttp.Answer fine = get("/v1/tasks?q=100%25");
        assertThat(fine.status()).isEqualTo(200);
    }

    /** The query parameter is q; its error named the bulk filter's field, text. */
    @Test
    void aTooLongQ_isAnErrorOnQ() {
        RawHttp.Answer answer = get("/v1/tasks?q=" + "x".repeat(1_025));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"field\":\"q\"").contains("q is at most 1024 characters");
        RawHttp.Answer parked = get("/v1/tiers/batch/parked?q=" + "x".repeat(1_025));
        assertThat(parked.body()).contains("\"field\":\"q\"");
    }

    @Test
    void tenKilobytePath_answers414AsJson() {
        assertJsonError(get("/v1/tasks/" + "a".repeat(10_240)), 414);
    }

    @Test
    void tenKilobyteHeader_answers431AsJson() {
        assertJsonError(get("/v1/tasks", "X-Filler: " + "b".repeat(10_240)), 431);
    }

    @Test
    void malformedRequestLine_answers400AsJson() {
        RawHttp.Answer answer = RawHttp.send(open.port(), "GET /v1/tasks HTTP/9.9\r\nHost: 127.0.0.1", "");

        assertThat(answer.status()).isGreaterThanOrEqualTo(400);
        assertJsonError(answer, answer.status());
    }

    @Test
    void jsonParserAdvice_isNotEchoed() {
        Http.Response response = new Http(open.baseUri()).post("/v1/tasks",
                "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":NaN}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("JsonReadFeature").doesNotContain("enable").doesNotContain("ALLOW_")
                .doesNotContain("com.fasterxml");
    }

    @Test
    void plain_dropsParserSwitchesAndClassNames() {
        assertThat(Json.plain("Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one"
                + " since Feature 'ALLOW_COMMENTS' not enabled for parser)")).isEqualTo("a comment: JSON has none");
        assertThat(Json.plain("Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"))
                .isEqualTo("NaN is not a JSON number");
        assertThat(Json.plain("Cannot construct instance of `io.queuedeck.engine.task.TaskSpec` (for x)\n at [Source]"))
                .isEqualTo("Cannot construct instance of a value");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 31})
    void tokenShorterThan32Bytes_isRefusedAtStart(int length) {
        assertThatThrownBy(() -> ApiServer.builder(engine).bearerToken("Q".repeat(length)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("Q");
        ApiServer.builder(engine).bearerToken("x".repeat(32)); // the shortest accepted
    }

    @Test
    void repeatedWrongTokens_fromOneAddress_slowDownWith429AndRetryAfter_evenForTheRightToken() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken(TOKEN).build().start()) {
            int unauthorized = 0;
            Http.Response last = null;
            long began = System.nanoTime();
            for (int i = 0; i < 30; i++) {
                last = new Http(guarded.baseUri(), "w".repeat(30) + String.format("%02d", i)).get("/v1/tasks"); // a guess each
                if (last.status() == 401) {
                    unauthorized++;
                }
            }
            Http.Response right = new Http(guarded.baseUri(), TOKEN).get("/v1/tasks");

            // one more guess each SECONDS_PER_FAILURE: on a loaded machine the 30 guesses may take that long
            long refilled = (long) ((System.nanoTime() - began) / 1e9 / AuthThrottle.SECONDS_PER_FAILURE);
            assertThat(unauthorized).isBetween(AuthThrottle.FREE_FAILURES, AuthThrottle.FREE_FAILURES + (int) refilled);
            assertThat(last.status()).isEqualTo(429);
            assertThat(last.errorCode()).isEqualTo("too_many_failed_logins");
            assertThat(last.headers().firstValue("Retry-After")).isPresent();
            assertThat(right.status()).isEqualTo(429); // a guesser cannot tell a hit while slowed down
            assertThat(new Http(guarded.baseUri()).get("/healthz").status()).isEqualTo(200);
        }
    }

    /** One new wrong token every 2 s from a shared address refused the operator's and the tenants' requests too (31 of 32). */
    @Test
    void aClientWhoseTokenWasTakenFromTheAddress_getsIn_whileAGuesserThereIsSlowedDown() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken(TOKEN).build().start()) {
            Http client = new Http(guarded.baseUri(), TOKEN);
            assertThat(client.get("/v1/tasks").status()).isEqualTo(200); // before the guessing starts
            Http.Response last = null;
            for (int i = 0; i < AuthThrottle.FREE_FAILURES + 5; i++) { // slowed down after ten
                last = new Http(guarded.baseUri(), "w".repeat(30) + String.format("%02d", i)).get("/v1/tasks");
            }
            assertThat(last.status()).isEqualTo(429);

            assertThat(client.get("/v1/tasks").status()).isEqualTo(200);
            assertThat(new Http(guarded.baseUri(), "w".repeat(30) + "99").get("/v1/tasks").status()).isEqualTo(429);

            // a guesser there must not test the known client's token without end: past the spell's checks it reads as a miss
            for (int i = 0; i < AuthThrottle.CHECKS_WHILE_SLOWED; i++) {
                new Http(guarded.baseUri(), "v".repeat(30) + String.format("%02d", i)).get("/v1/tasks");
            }
            assertThat(client.get("/v1/tasks").status()).isEqualTo(429);
        }
    }

    // a service with a stale token behind a shared proxy must not lock out every client there
    @Test
    void sameWrongTokenRepeated_is401EveryTime_andTheRightTokenStillGetsIn() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken(TOKEN).build().start()) {
            Http stale = new Http(guarded.baseUri(), "s".repeat(32));
            Http none = new Http(guarded.baseUri());
            for (int i = 0; i < 30; i++) {
                assertThat(stale.get("/v1/tasks").status()).isEqualTo(401);
                assertThat(none.get("/v1/tasks").status()).isEqualTo(401);
            }

            assertThat(new Http(guarded.baseUri(), TOKEN).get("/v1/tasks").status()).isEqualTo(200);
        }
    }

    @Test
    void throttle_letsAnAddressTryAgainAsTimePasses_andKeepsAddressesApart() {
        AtomicLong nanos = new AtomicLong();
        AuthThrottle throttle = new AuthThrottle(nanos::get);
        for (int i = 0; i < AuthThrottle.FREE_FAILURES; i++) {
            assertThat(throttle.failed("10.0.0.1", ("guess-" + i).getBytes())).isZero();
        }

        assertThat(throttle.waitOf("10.0.0.1")).isEqualTo(AuthThrottle.SECONDS_PER_FAILURE);
        assertThat(throttle.waitOf("10.0.0.2")).isZero();
        nanos.addAndGet(Duration.ofSeconds(AuthThrottle.SECONDS_PER_FAILURE).toNanos());
        assertThat(throttle.waitOf("10.0.0.1")).isZero();
        assertThat(throttle.failed("10.0.0.1", "guess-again".getBytes())).isZero();
        assertThat(throttle.waitOf("10.0.0.1")).isPositive();
    }
}
