package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How a submission's body is refused: malformed or wrongly typed JSON, numbers beyond their range,
 * text that is not UTF-8, encodings and content types not read, bodies over the limit; each with
 * the field and the status a client can act on, and nothing queued.
 */
class ApiServerBodyTest extends ApiServerFixture {
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
}
