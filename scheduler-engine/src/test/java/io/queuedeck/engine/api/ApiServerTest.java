package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Every endpoint and error shape, against the real server on an ephemeral loopback port. */
class ApiServerTest {
    private static final String TASK = "{\"task_id\":\"%s\",\"model\":\"llama-2-7b\",\"input\":\"hello\",\"priority\":%d,\"max_tokens\":16}";

    private Engine engine;
    private ApiServer server;
    private Http http;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        server = configure(ApiServer.builder(engine).port(0)).build().start();
        http = new Http(server.baseUri());
    }

    /** Subclasses run every test on another configuration of the same API. */
    ApiServer.Builder configure(ApiServer.Builder builder) {
        return builder;
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private static String task(String id, int priority) {
        return TASK.formatted(id, priority);
    }

    @Test
    void submit_validTask_answers202WithLocationAndState() {
        Http.Response response = http.post("/v1/tasks", task("a-1", 3));

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/tasks/a-1");
        assertThat(response.json().get("task_id").asText()).isEqualTo("a-1");
        assertThat(response.json().get("state").asText()).isIn("QUEUED", "RUNNING");
        // Accepted means the engine holds it: it can be read back at once.
        assertThat(http.get("/v1/tasks/a-1").status()).isEqualTo(200);
    }

    @Test
    void submit_withoutId_generatesOne() {
        Http.Response response = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"hi\"}");

        assertThat(response.status()).isEqualTo(202);
        String id = response.json().get("task_id").asText();
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/tasks/" + id);
    }

    /** A surrogate pair escaped is one character (only a lone half is refused); it comes back as sent. */
    @Test
    void submit_escapedSurrogatePair_isAccepted() {
        assertThat(http.post("/v1/tasks", "{\"task_id\":\"pair\",\"model\":\"llama-2-7b\",\"input\":\"x\\ud83d\\ude00\","
                + "\"metadata\":{\"k\":\"x\\ud83d\\ude00\"}}").status())
                .isEqualTo(202);
        assertThat(http.get("/v1/tasks/pair").json().at("/metadata/k").asText()).isEqualTo("x\uD83D\uDE00");
    }

    @Test
    void submit_sameIdSameBody_answers200WithTheExistingTask() {
        assertThat(http.post("/v1/tasks", task("dup", 4)).status()).isEqualTo(202);

        Http.Response again = http.post("/v1/tasks", task("dup", 4));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("task_id").asText()).isEqualTo("dup");
        assertThat(again.json().get("priority").asInt()).isEqualTo(4);
    }

    @Test
    void submit_sameIdWithEmptyMetadata_isTheSameTask() {
        String bare = "{\"task_id\":\"meta\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}";
        assertThat(http.post("/v1/tasks", bare).status()).isEqualTo(202);

        Http.Response again = http.post("/v1/tasks", bare.replace("}", ",\"metadata\":{}}")); // was 409

        assertThat(again.status()).isEqualTo(200);
        assertThat(http.post("/v1/tasks", bare.replace("}", ",\"priority\":5}")).status())
                .as("without priority rules, no priority is 5").isEqualTo(200);
    }

    @Test
    void submit_sameIdDifferentBody_answers409() {
        assertThat(http.post("/v1/tasks", task("dup", 4)).status()).isEqualTo(202);

        Http.Response other = http.post("/v1/tasks", task("dup", 5));

        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("conflict");
        assertThat(other.json().at("/error/message").asText()).contains("dup");
    }

    @Test
    void get_finishedTask_hasStateTimestampsOutputAndAttempts() {
        http.post("/v1/tasks", task("done", 1));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/v1/tasks/done").json().get("state").asText().equals("SUCCEEDED"));
        var json = http.get("/v1/tasks/done").json();

        assertThat(json.get("output").asText()).isNotBlank();
        assertThat(json.get("attempts").asInt()).isEqualTo(1);
        assertThat(json.get("generated_tokens").asInt()).isEqualTo(16);
        assertThat(json.has("submitted_at")).isTrue();
        assertThat(json.has("finished_at")).isTrue();
        assertThat(json.get("e2e_ms").asDouble()).isPositive();
    }

    @Test
    void get_unknownTask_answers404() {
        Http.Response response = http.get("/v1/tasks/nope");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("not_found");
    }

    @Test
    void delete_waitingTask_cancelsIt_thenSecondCancelIs409() {
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("c", 5));

        Http.Response cancelled = http.delete("/v1/tasks/c");
        Http.Response again = http.delete("/v1/tasks/c");

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(again.status()).isEqualTo(409);
        assertThat(http.delete("/v1/tasks/unknown").status()).isEqualTo(404);
    }

    @Test
    void patch_priority_movesTheTask() {
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("p", 8));

        Http.Response response = http.patch("/v1/tasks/p", "{\"priority\": 1}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("priority").asInt()).isEqualTo(1);
        assertThat(http.get("/v1/tasks/p").json().get("priority").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "{\"priority\": 12}       | 400 | priority",
            "{\"priority\": \"1\"}    | 400 | priority",
            "{}                       | 400 | priority",
            "{\"priority\": 1, \"x\": 2} | 400 | x",
            "{\"priority\":           | 400 | ",
    })
    void patch_badBody_answers400NamingTheField(String body, int status, String field) {
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("p", 8));

        Http.Response response = http.patch("/v1/tasks/p", body);

        assertThat(response.status()).isEqualTo(status);
        if (field != null) {
            assertThat(response.errorField()).isEqualTo(field);
        }
        assertThat(http.get("/v1/tasks/p").json().get("priority").asInt()).isEqualTo(8);
    }

    /** The parser's complaints come in this API's words, with where they are ("Non-standard token 'NaN'" did not). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"llama-2-7b\",\"input\":\"a\u0001b\"}           | a control character (code 1) must be escaped inside a string",
            "{\"model\":\"llama-2-7b\",/*x*/\"input\":\"x\"}             | a comment: JSON has none",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":NaN}  | NaN is not a JSON number",
            "{\"model\":\"llama-2-7b\",\"input\":xyz}                      | 'xyz' is not a JSON value (a string needs double quotes)",
            "{\"model\":\"llama-2-7b\" \"input\":\"x\"}                  | where a comma between entries was expected",
            "{\"model\":\"llama-2-7b\",\"input\" \"x\"}                  | where a colon after the field name was expected",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\"                   | the body ends before its JSON does",
            "{\"model\":\"llama-2-7b\",\"input\":}                         | '}' where a value was expected",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":01}   | a number may not start with a zero",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":-}    | '}' after a minus sign, where a digit was expected",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":1.}   | '}' after a decimal point, where a digit was expected",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":+1}   | a number may not start with '+'",
            "{\"model\":\"llama-2-7b\",\"input\":\"\\u12\"}                 | in a \\u escape, which takes four hex digits",
            "{\"model\":\"llama-2-7b\",\"input\":\"\\q\"}                   | a backslash before 'q', which is not a JSON escape",
            "]                                                           | ']' closes nothing",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\"]                  | ']' where '}' was expected",
    })
    void submit_malformedJson_isSaidInOurWords_withWhere(String body, String words) {
        Http.Response response = http.post("/v1/tasks", body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("malformed_json");
        assertThat(response.json().at("/error/message").asText()).contains(words).contains("line 1, column")
                .doesNotContain("Illegal unquoted").doesNotContain("Non-standard").doesNotContain("Unrecognized")
                .doesNotContain("expected a valid value").doesNotContain("close marker").doesNotContain("Invalid numeric")
                .doesNotContain("`");
    }

    /**
     * A syntax error inside a field's value names that field; one in the punctuation between
     * entries, or a body cut short after a whole value, names none and says after which field.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // body                                                           | field       | the message ends with
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",}                     |             | (after input)",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\"                       |             | (after input)",
            "{\"model\":\"llama-2-7b\" \"input\":\"x\"}                      |             | (after model)",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"max_tokens\":12a}  |             | (after max_tokens)",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\"a\":\"b\",}} |  | (after metadata.a)",
            "{\"model\":\"llama-2-7b\",\"input\":\"x                        | input       | the body ends before its JSON does",
            "{\"model\":\"llama-2-7b\",\"input\":\"\\q\"}                    | input       | which is not a JSON escape",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":01}     | priority    | (1, not 01)",
            "{\"model\":\"llama-2-7b\",\"input\":xyz}                        | input       | (a string needs double quotes)",
    })
    void submit_malformedJson_namesTheFieldOnlyWhenTheFaultIsInItsValue(String body, String field, String ending) {
        assertMalformed(http.post("/v1/tasks", body), field, ending);
    }

    /** Between a batch's entries the same holds, naming the entry before the fault (Jackson counts one more). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // body                                                           | field       | the message ends with
            "{\"tasks\":[{\"model\":\"m\",\"input\":\"a\"} {\"model\":\"m\",\"input\":\"b\"}]} | | (after tasks[0])",
            "{\"tasks\":[{\"model\":\"m\",\"input\":\"a\"},]}             |             | (after tasks[0])",
            "{\"tasks\":[{\"model\":\"m\",\"input\":\"a\"},{\"model\":\"m\",\"input\":\"b\"},]} | | (after tasks[1])",
            "{\"tasks\":[{\"model\":\"m\",\"input\":\"a\"}                |             | (after tasks[0])",
            "{\"tasks\":[{\"model\":\"m\",\"input\":\"a\"},,{\"model\":\"m\",\"input\":\"b\"}]} | tasks[1] | ',' where a value was expected",
    })
    void submitBatch_malformedJson_namesTheEntryBeforeTheFault(String body, String field, String ending) {
        assertMalformed(http.post("/v1/tasks:batch", body), field, ending);
    }

    /** A value of the wrong type is quoted back with what was expected: "deadline must be … instant", alone, did not say what was sent. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"m\",\"input\":\"x\",\"deadline\":5}          | deadline  | deadline must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, got 5",
            "{\"model\":\"m\",\"input\":\"x\",\"priority\":true}       | priority  | priority must be an integer, got true",
            "{\"model\":\"m\",\"input\":\"x\",\"metadata\":[1]}        | metadata  | got an array",
            "{\"model\":\"m\",\"input\":{\"a\":1}}                      | input     | input must be a string, got an object",
    })
    void submit_aValueOfTheWrongType_isQuotedBackWithWhatWasExpected(String body, String field, String ending) {
        Http.Response response = http.post("/v1/tasks", body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().at("/error/field").asText()).isEqualTo(field);
        assertThat(response.json().at("/error/message").asText()).endsWith(ending);
    }

    private static void assertMalformed(Http.Response response, String field, String ending) {
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("malformed_json");
        assertThat(response.json().at("/error/message").asText()).endsWith(ending);
        if (field == null) {
            assertThat(response.json().path("error").has("field")).isFalse();
        } else {
            assertThat(response.json().at("/error/field").asText()).isEqualTo(field);
        }
    }

    /** A number too large for its field's type gets the field's own range, as one inside the type but out of range does. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "priority   | 99999999999 | priority must be between 0 and 9, got 99999999999",
            "max_tokens | 2147483648  | max_tokens must be between 1 and 1000000, got 2147483648",
            "max_tokens | 2000000     | max_tokens must be between 1 and 1000000, got 2000000",
    })
    void submit_numberBeyondItsType_isSaidAsTheFieldsRange(String field, String number, String message) {
        String task = "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"" + field + "\":" + number + "}";
        Http.Response response = http.post("/v1/tasks", task);
        Http.Response inABatch = http.post("/v1/tasks:batch", "{\"tasks\":[" + task + "]}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().at("/error/field").asText()).isEqualTo(field);
        assertThat(response.json().at("/error/message").asText()).isEqualTo(message);
        assertThat(inABatch.json().at("/error/message").asText()).as("the same words in a batch")
                .endsWith(message.substring(field.length()));
    }

    @Test
    void patch_unknownTask_answers404() {
        assertThat(http.patch("/v1/tasks/ghost", "{\"priority\": 1}").status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // body                                                             | code           | field
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":\"2\"}       | invalid_field  | priority",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":2.5}         | invalid_field  | priority",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":12}          | invalid_field  | priority",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":99999999999} | invalid_field  | priority",
            "{\"model\":\"llama-2-7b\",\"input\":5}                              | invalid_field  | input",
            "{\"model\":\"llama-2-7b\"}                                          | invalid_field  | input",
            "{\"input\":\"x\"}                                                   | invalid_field  | model",
            "{\"model\":\"gpt-9\",\"input\":\"x\"}                               | invalid_field  | model",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"max_tokens\":0}         | invalid_field  | max_tokens",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"deadline\":\"soon\"}    | invalid_field  | deadline",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"deadline\":5}         | invalid_field  | deadline",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"deadline\":1e300}     | invalid_field  | deadline",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"deadline\":-1e10}     | invalid_field  | deadline",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"deadline\":99999999999999999} | invalid_field | deadline",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":-1}        | invalid_field  | priority",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\"k\":{}}}  | invalid_field  | metadata.k",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\"front_door\":\"true\"}} | invalid_field | metadata.front_door",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"callback_url\":\"ftp://h/\"} | invalid_field | callback_url",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"colour\":\"red\"}       | invalid_field  | colour",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"task_id\":\"a b\"}      | invalid_field  | task_id",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"task_id\":null}       | invalid_field  | task_id",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\\ud800y\"}               | malformed_json | ",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\\ud800\\u0041\"}        | malformed_json | ",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\"k\":\"\\uDFFF\"}} | malformed_json | ",
            "{\"model\":\"llama-2-7b\",\"input\":\"x\"} trailing                 | malformed_json | ",
            "{\"model\":                                                         | malformed_json | ",
            "[1,2,3]                                                             | malformed_json | ",
            "null                                                                | malformed_json | ",
    })
    void submit_badBody_answers400WithCodeAndField(String body, String code, String field) {
        Http.Response response = http.post("/v1/tasks", body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo(code);
        if (field != null) {
            assertThat(response.errorField()).isEqualTo(field);
        }
        assertThat(response.json().at("/error/message").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void submit_aSecondValueAfterTheObject_isRefusedSayingSo() {
        Http.Response response = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\"}{}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().at("/error/message").asText())
                .isEqualTo("the body holds more after its JSON object at line 1, column 35; send one object");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"model\":\"m\"}           | model      | model is given twice at line 1, column",
        "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\"k\":\"a\",\"k\":\"b\"}} | metadata.k | metadata.k is given twice",
    })
    void submit_duplicateField_isNamed(String body, String field, String message) {
        Http.Response response = http.post("/v1/tasks", body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("invalid_field");
        assertThat(response.errorField()).isEqualTo(field);
        assertThat(response.json().at("/error/message").asText()).startsWith(message).doesNotContain("Duplicate");
    }

    @Test
    void submit_aNumberOverTheParserLimit_saysWhichLimitInOurWords() {
        Http.Response longNumber = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":"
                + "1".repeat(100) + "}");

        assertThat(longNumber.status()).isEqualTo(400);
        assertThat(longNumber.json().at("/error/message").asText()).isEqualTo("a number in the body has more than 64 digits");
        Http.Response longName = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\""
                + "k".repeat(100_000) + "\":\"v\"}}");
        assertThat(longName.json().at("/error/message").asText()).startsWith("a field name in the body is longer");
    }

    @Test
    void submit_bodyNotValidUtf8_overlongFormsIncluded_is400MalformedJson() {
        byte[] head = "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":{\"k\":\"a".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "b\"}}".getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xFF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
            byte[] body = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(bad, 0, body, head.length, bad.length);
            System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);

            Http.Response response = http.post("/v1/tasks", body, "application/json");

            // C0 AF was decoded as "/" and the task accepted with {"k": "a/b"}
            assertThat(response.status()).as(java.util.HexFormat.of().formatHex(bad)).isEqualTo(400);
            assertThat(response.errorCode()).isEqualTo("malformed_json");
        }
        assertThat(http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"é ✓ 𝄞\"}".getBytes(StandardCharsets.UTF_8),
                "application/json").status()).isEqualTo(202);
    }

    @Test
    void submit_hugeUnknownFieldName_isEchoedShortened() {
        String name = "x".repeat(10_000);
        Http.Response response = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"" + name + "\":1}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().length()).isLessThan(600);
    }

    @Test
    void submit_compressedBody_answers415_namingTheEncoding_andQueuesNothing() throws Exception {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write("{\"model\":\"llama-2-7b\",\"input\":\"x\",\"task_id\":\"gz\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Http.Response response = http.send(http.request("/v1/tasks").header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())));

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.errorCode()).isEqualTo("unsupported_media_type");
        assertThat(response.json().at("/error/message").asText()).contains("Content-Encoding 'gzip'");
        assertThat(http.get("/v1/tasks/gz").status()).isEqualTo(404);
    }

    /** Bodies are read as UTF-8: one declared as UTF-16 was read as UTF-8 all the same, and queued. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"application/json; charset=utf-16", "application/json;charset=\"ISO-8859-1\""})
    void submit_declaredInAnotherCharset_answers415_andQueuesNothing(String type) {
        Http.Response response = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"task_id\":\"cs\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), type);

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.json().at("/error/message").asText()).contains("JSON in UTF-8");
        assertThat(http.get("/v1/tasks/cs").status()).isEqualTo(404);
        assertThat(http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/json; charset=UTF-8").status()).isEqualTo(202);
    }

    @Test
    void search_withACursor_isRefusedOnTheCursor() {
        Http.Response response = http.get("/v1/tasks?sort=priority&cursor=o"); // the cursor was ignored: page one again

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("cursor");
    }

    @Test
    void submit_emptyBody_answers400() {
        Http.Response response = http.post("/v1/tasks", new byte[0], "application/json");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("malformed_json");
    }

    @Test
    void submit_invalidUtf8_answers400() {
        byte[] body = {'{', '"', 'm', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        assertThat(http.post("/v1/tasks", body, "application/json").status()).isEqualTo(400);
    }

    @Test
    void submit_bodyOverLimit_answers413() {
        byte[] body = new byte[(1 << 20) + 1];
        Arrays.fill(body, (byte) ' ');

        Http.Response response = http.post("/v1/tasks", body, "application/json");

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.errorCode()).isEqualTo("payload_too_large");
    }

    @Test
    void submit_wrongOrMissingContentType_answers415() {
        byte[] body = task("x", 1).getBytes();

        assertThat(http.post("/v1/tasks", body, "text/plain").status()).isEqualTo(415);
        assertThat(http.post("/v1/tasks", body, null).status()).isEqualTo(415);
        assertThat(http.post("/v1/tasks", body, "application/json-seq").status()).isEqualTo(415);
        assertThat(http.post("/v1/tasks", body, "application/json; charset=utf-8").status()).isEqualTo(202);
        assertThat(Routes.isJson("Application/JSON")).isTrue();
        assertThat(Routes.isJson("application/vnd.queuedeck+json; v=1")).isTrue();
        assertThat(Routes.isJson("text/json")).isFalse();
    }

    @Test
    void submit_chunkedBody_isReadToo_andItsLimitHolds() {
        java.util.function.Function<byte[], java.net.http.HttpRequest.BodyPublisher> chunked = bytes ->
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes));

        Http.Response accepted = http.send(http.request("/v1/tasks").header("Content-Type", "application/json")
                .POST(chunked.apply(task("chunked", 3).getBytes())));
        byte[] huge = new byte[(1 << 20) + 10];
        Arrays.fill(huge, (byte) ' ');
        Http.Response tooLarge = http.send(http.request("/v1/tasks").header("Content-Type", "application/json")
                .POST(chunked.apply(huge)));

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(tooLarge.status()).isEqualTo(413);
    }

    @Test
    void wrongMethod_answers405AsJson() {
        Http.Response response = http.send(http.request("/v1/tasks/x").header("X-QueueDeck-Client", "test").PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.errorCode()).isEqualTo("method_not_allowed");
        assertThat(response.json().path("error").path("message").asText()).isEqualTo("PUT is not allowed on /v1/tasks/x");
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, PATCH, DELETE, HEAD");
    }

    @Test
    void unknownMethod_isNamedAsSent() {
        Http.Response response = http.send(http.request("/v1/tasks").header("X-QueueDeck-Client", "test")
                .method("FOO", java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(response.json().path("error").path("message").asText()).startsWith("FOO is not allowed on /v1/tasks");
    }

    @Test
    void unknownExpectation_is417WithItsOwnCode() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-QueueDeck-Client: test\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 417").contains("\"code\":\"expectation_failed\"").contains("100-continue");
        }
    }

    @Test
    void unknownHttpVersion_is505WithItsOwnCode() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.getOutputStream().write("GET /healthz HTTP/9.9\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 505").contains("\"code\":\"http_version_not_supported\"");
        }
    }

    @Test
    void http2RequestLine_is426_namingTheProtocolToUse() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.getOutputStream().write("GET /healthz HTTP/2.0\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 426").contains("\r\nUpgrade: HTTP/1.1\r\n").contains("\"code\":\"upgrade_required\"");
        }
    }

    @Test
    void head_answersWhatGetWould_withoutTheBody() {
        java.util.function.Function<String, Http.Response> head = path -> http.send(http.request(path)
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(head.apply("/v1/tasks/no-such-task").status()).as("GET is 404; HEAD was 200").isEqualTo(404);
        assertThat(head.apply("/healthz").status()).isEqualTo(200);
        assertThat(head.apply("/v1/tasks?limit=0").status()).isEqualTo(400);
        assertThat(head.apply("/healthz").body()).isEmpty();
        server.drain();
        assertThat(head.apply("/readyz").status()).as("a balancer probing by HEAD sees the drain").isEqualTo(503);
    }

    @Test
    void listing_withAParameterItDoesNotRead_is400OnIt() {
        Http.Response typo = http.get("/v1/tasks?priorty=1"); // it listed every task

        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.errorField()).isEqualTo("priorty");
        assertThat(http.get("/v1/tasks?priority=1&limit=5").status()).isEqualTo(200);
        // the largest 64-bit cursor wrapped round and answered the first page again
        assertThat(http.get("/v1/tasks?cursor=" + Listings.cursor(Long.MAX_VALUE)).errorField()).isEqualTo("cursor");
        // a cursor cut short or mistyped is refused, not read as a place past the end (an empty last page)
        for (String damaged : new String[] {"abc", "ZZZZ", "AAAA", "0", Long.toString(5, 36)}) {
            assertThat(http.get("/v1/tasks?limit=2&cursor=" + damaged).errorField()).as(damaged).isEqualTo("cursor");
        }
        assertThat(http.get("/v1/tasks?limit=2&cursor=" + Listings.cursor(5)).status()).isEqualTo(200);
    }

    @Test
    void everyEndpoint_refusesAParameterItDoesNotRead_andAnEmptyOne() {
        for (String path : List.of("/v1/audit?actr=ops", "/v1/operations?tenant=acme", "/v1/queues?tier=core",
                "/v1/tiers/batch/parked?state=queued", "/v1/tasks/t1?fields=id")) {
            Http.Response refused = http.get(path);
            assertThat(refused.status()).as(path).isEqualTo(400);
            assertThat(refused.errorField()).as(path).isEqualTo(path.substring(path.indexOf('?') + 1, path.indexOf('=')));
        }
        for (String path : List.of("/v1/tasks?state=", "/v1/tasks?tenant=&limit=5", "/v1/audit?actor=", "/v1/tiers/batch/parked?q=")) {
            Http.Response blank = http.get(path); // each of them used to answer as if the filter were not there
            assertThat(blank.status()).as(path).isEqualTo(400);
            assertThat(blank.body()).as(path).contains("is empty");
        }
        // without a shared queue, tier and scope used to be ignored, so tier=core listed every tier
        assertThat(http.get("/v1/tasks?tier=core").errorField()).isEqualTo("tier");
        assertThat(http.get("/v1/tasks?scope=cluster").errorField()).isEqualTo("scope");
        assertThat(http.get("/v1/tasks?scope=node&limit=5").status()).isEqualTo(200);
        assertThat(http.get("/v1/audit?actor=ops&limit=5").status()).isEqualTo(200);
        assertThat(http.get("/healthz?probe=lb").status()).as("probes send what their tools send").isEqualTo(200);
    }

    @Test
    void theHttpStacksStartUpChatter_isNotLogged_itsWarningsAre() {
        // nine INFO lines of Jetty and Javalin on every start, "your Javalin version is 530 days old" among them
        assertThat(java.util.logging.Logger.getLogger("io.javalin.util.JavalinLogger").isLoggable(java.util.logging.Level.INFO)).isFalse();
        assertThat(java.util.logging.Logger.getLogger("org.eclipse.jetty.server.Server").isLoggable(java.util.logging.Level.INFO)).isFalse();
        assertThat(java.util.logging.Logger.getLogger("org.eclipse.jetty.server.Server").isLoggable(java.util.logging.Level.WARNING)).isTrue();
    }

    @Test
    void unknownEndpoint_answers404AsJson() {
        Http.Response response = http.get("/v1/nothing-here");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("not_found");
        assertThat(response.json().path("error").path("message").asText()).isEqualTo("no such endpoint: GET /v1/nothing-here");
    }

    @Test
    void healthAndReadiness_answer200() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/readyz").status() == 200);
    }

    @Test
    void readyz_withEveryInstanceOffline_answers503() {
        for (int i = 0; i < 4; i++) {
            engine.send(new Command.SetInstanceOnline(i, false)).join();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/readyz").status() == 503);
        assertThat(http.get("/readyz").errorCode()).isEqualTo("not_ready");
    }

    @Test
    void nonLoopbackBind_withoutToken_refusesToStart() {
        assertThatThrownBy(() -> ApiServer.builder(engine).host("0.0.0.0").port(0).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without a bearer token");
    }

    @Test
    void token_requiredOnV1_butNotOnProbes() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken("s3cret-0123456789abcdef0123456789abcdef").build().start()) {
            Http anonymous = new Http(guarded.baseUri());
            Http wrong = new Http(guarded.baseUri(), "nope");
            Http client = new Http(guarded.baseUri(), "s3cret-0123456789abcdef0123456789abcdef");

            Http.Response refused = anonymous.post("/v1/tasks", task("t", 5));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.errorCode()).isEqualTo("unauthorized");
            assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(wrong.get("/v1/tasks/t").status()).isEqualTo(401);
            assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
            assertThat(client.post("/v1/tasks", task("t", 5)).status()).isEqualTo(202);
            assertThat(client.get("/v1/tasks/t").status()).isEqualTo(200);
        }
    }
}
