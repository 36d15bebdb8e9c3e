package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeBackendRig;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.task.TaskQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Front-door bodies whose fields QueueDeck acts on have the wrong type or shape: each is a 400 in
 * OpenAI's error shape naming the field, no message names the JSON parser's internals, and no task
 * is created. Raw HTTP, since the SDK would not send these.
 */
class OpenAiFrontDoorBadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String M = "\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static FakeBackendRig rig;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        rig = FakeBackendRig.serving("fake-model").slots(1).script(Script.tokens(1)).discoverModels()
                .api(b -> b.metrics(new io.queuedeck.engine.metrics.EngineMetrics(() -> null)).bodyTimeout(Duration.ofSeconds(2))).start();
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "n a string                  | n                            | only n=1 is supported                   | {M,'n':'x'}",
        "n a fraction                | n                            | only n=1 is supported                   | {M,'n':1.5}",
        "best_of of 5                | best_of                      | only best_of=1 is supported             | /v1/completions {'model':'fake-model','prompt':'x','best_of':5}",
        "max_tokens a fraction       | max_tokens                   | must be a whole number from 1           | {M,'max_tokens':2.5}",
        "max_tokens past an int      | max_tokens                   | must be a whole number from 1           | {M,'max_tokens':1e300}",
        "stream a string             | stream                       | stream must be true or false, got 'yes' | {M,'stream':'yes'}",
        "stream a number             | stream                       | stream must be true or false, got 1     | {M,'stream':1}",
        "stream_options a string     | stream_options               | stream_options must be an object        | {M,'stream':true,'stream_options':'yes'}",
        "include_usage a string      | stream_options.include_usage | must be true or false, got 'no'         | {M,'stream':true,'stream_options':{'include_usage':'no'}}",
        "options without a stream    | stream_options               | only allowed when stream is true        | {M,'stream_options':{'include_usage':true}}",
        "model a number              | model                        | model must be the name of a model, got 5     | {'model':5,'messages':[]}",
        "max_tokens over an int      | max_tokens                   | from 1 to 1000000, got 1000000000000 | {M,'max_tokens':1000000000000}",
        "max_tokens the largest int  | max_tokens                   | max_tokens must be a whole number from 1 to 1000000, got 2147483647 | {M,'max_tokens':2147483647}",
        "63 metadata keys            | metadata                     | at most 62 entries here (the server adds 2 of its own), got 63 | {M,'metadata':{METADATA63}}",
        "prompt a number             | prompt                       | prompt must be a string, token ids, or an array of one of those, got a number | /v1/completions {'model':'fake-model','prompt':5}",
        "prompt an object            | prompt                       | got an object                           | /v1/completions {'model':'fake-model','prompt':{'a':1}}",
        "no prompt                   | prompt                       | prompt is required                      | /v1/completions {'model':'fake-model'}",
        "two prompts                 | prompt                       | one prompt per request                  | /v1/completions {'model':'fake-model','prompt':['a','b']}",
        "two tokenized prompts       | prompt                       | one prompt per request                  | /v1/completions {'model':'fake-model','prompt':[[1,2],[3]]}",
        "an empty prompt array       | prompt                       | prompt is required                      | /v1/completions {'model':'fake-model','prompt':[]}",
        "a prompt of null            | prompt                       | prompt must be a string, token ids      | /v1/completions {'model':'fake-model','prompt':[null]}",
        "a prompt of an object       | prompt                       | prompt must be a string, token ids      | /v1/completions {'model':'fake-model','prompt':[{'x':1}]}",
        "a message of null           | messages                     | messages[0] must be an object with a role, got null | {'model':'fake-model','messages':[null]}",
        "a message of a string       | messages                     | messages[0] must be an object with a role, got a string | {'model':'fake-model','messages':['hi']}",
        "a message without a role    | messages                     | messages[1].role is required: a string such as 'user', got none | {'model':'fake-model','messages':[{'role':'user','content':'a'},{'content':'b'}]}",
        "a negative token id         | prompt                       | token ids (whole numbers from 0)        | /v1/completions {'model':'fake-model','prompt':[-1]}",
        "a token id past an int      | prompt                       | token ids (whole numbers from 0)        | /v1/completions {'model':'fake-model','prompt':[[1,3000000000]]}",
        "content an object           | messages                     | messages[0].content must be a string or an array of content parts, got an object | {'model':'fake-model','messages':[{'role':'user','content':{'x':1}}]}",
        "content a number            | messages                     | messages[0].content must be a string or an array of content parts, got a number | {'model':'fake-model','messages':[{'role':'user','content':5}]}",
        "a content part of a string  | messages                     | messages[0].content[1] must be a content part: an object with a type such as 'text', got a string | {'model':'fake-model','messages':[{'role':'user','content':[{'type':'text','text':'a'},'b']}]}",
        "model given twice           | model                        | model is given twice                    | {M,'model':'x'}",
        "max_tokens given twice      | max_tokens                   | max_tokens is given twice               | {M,'max_tokens':1,'max_tokens':2}",
    })
    void wrongTypes_are400_onTheField(String label, String param, String message, String body) throws Exception {
        int before = tasks();
        JsonNode error = refused(body);

        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("code").asText()).isEqualTo("invalid_field");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains(message.replace('\'', '"'));
        assertThat(tasks()).isEqualTo(before); // no task was created
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "nested 2000 deep   | nested more than 1000 levels deep",
        "a 2000-digit number | a number of over 1000 digits",
        "a 60000-character key | a field name in the body is longer than the parser takes",
    })
    void parserLimits_are400_inOurWords(String label, String message) throws Exception {
        int before = tasks();
        String deep = label.startsWith("nested") ? "[".repeat(2000) + "]".repeat(2000) : "9".repeat(2000);
        JsonNode error = label.contains("key") ? refused("{M,'" + "k".repeat(60_000) + "':1}") : refused("{M,'x':" + deep + "}");

        assertThat(error.path("code").asText()).isEqualTo("invalid_json");
        assertThat(error.path("message").asText()).contains(message).doesNotContain("StreamReadConstraints").doesNotContain("`");
        assertThat(tasks()).isEqualTo(before); // no task was created
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"{", "{\"model\": ", "{\"model\":\"fake-model\",]"})
    void brokenJson_is400_sayingWhere_withoutTheParsersInternals(String body) throws Exception {
        JsonNode error = refused(body);

        assertThat(error.path("code").asText()).isEqualTo("invalid_json");
        assertThat(error.path("message").asText()).startsWith("the body is not valid JSON").contains("line 1, column")
                .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("`").doesNotContain("Feature");
    }

    /** A fault between entries names no param and says after which one, as the REST routes do; each refusal is counted. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{'model':'fake-model','messages':[{'role':'user','content':'hi'},]}       | (after messages[0])",
        "{'model':'fake-model','messages':[{'role':'user','content':'hi'}],}       | (after messages)",
        "{'model':'fake-model' 'messages':[]}                                       | (after model)",
    })
    void aFaultBetweenEntries_namesNoParam_saysAfterWhich_andIsCounted(String body, String ending) throws Exception {
        double before = rejected("invalid_json");
        JsonNode error = refused(body);

        assertThat(error.path("code").asText()).isEqualTo("invalid_json");
        assertThat(error.path("param").isNull()).as(error.toString()).isTrue();
        assertThat(error.path("message").asText()).startsWith("the body is not valid JSON").endsWith(ending);
        assertThat(rejected("invalid_json")).isEqualTo(before + 1);
    }

    /** The front door's own shape quotes what was sent as the API's does: an escape sequence as its code, not itself. */
    @org.junit.jupiter.api.Test
    void invisibleCharactersInARefusal_areWrittenAsTheirCode() throws Exception {
        JsonNode error = refused("{'model':'fake-model','messages':[{'role':'user','content':'hi'}],'n':'\\u001b[2J\\u202e'}");

        assertThat(error.path("message").asText()).contains("\\u001B[2J\\u202E").doesNotContain("\u001b").doesNotContain("\u202e");
    }

    /** The router serves a path with a trailing slash as the path: its refusals came in the REST shape, which OpenAI clients do not parse. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions/        | {'model':'nope','messages':[{'role':'user','content':'hi'}]} | 404 | not_found_error",
        "/v1/completions/?debug=1     | {'model':'fake-model','prompt':'x','max_tokens':0}          | 400 | invalid_request_error",
    })
    void aTrailingSlash_isStillTheFrontDoor_itsRefusalsInOpenAisShape(String path, String body, int status, String type) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body.replace('\'', '"'))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).path("error").path("type").asText()).as(response.body()).isEqualTo(type);
    }

    private static double rejected(String reason) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("queuedeck_api_rejected_total{reason=\"" + reason + "\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The REST routes skipped it, the front door answered 400 with the parser's words. */
    @org.junit.jupiter.api.Test
    void aByteOrderMark_isSkipped_asOnTheRestRoutes() throws Exception {
        byte[] json = "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new byte[json.length + 3];
        body[0] = (byte) 0xEF;
        body[1] = (byte) 0xBB;
        body[2] = (byte) 0xBF;
        System.arraycopy(json, 0, body, 3, json.length);

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @org.junit.jupiter.api.Test
    void aBodyNotValidUtf8_is400_andNoTaskRuns() throws Exception {
        int before = tasks();
        byte[] head = ("{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"a").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = "b\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC0; // an overlong "/": it was decoded, queued and run
        body[head.length + 1] = (byte) 0xAF;
        System.arraycopy(tail, 0, body, head.length + 2, tail.length);

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("invalid_json");
        assertThat(tasks()).isEqualTo(before);
    }

    /** POST /v1/tasks refused these already; here they went into the task's input, its metadata and every listing. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\\ud800\"}]}",
            "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":{\"k\":\"\\udfff\"}}"})
    void anEscapedLoneSurrogate_is400_andNoTaskRuns(String body) throws Exception {
        int before = tasks();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("invalid_json");
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("lone surrogate");
        assertThat(tasks()).isEqualTo(before);
    }

    /** The front door ignores query parameters, as OpenAI's API does: a client's api-version given twice got 400. */
    @org.junit.jupiter.api.Test
    void aQueryParameterGivenTwice_isIgnored_likeAnyOther() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri()
                        + "/v1/chat/completions?api-version=1&api-version=2"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{" + M + "}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/models?a=1&a=2"))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).as(models.body()).isEqualTo(200);
    }

    @org.junit.jupiter.api.Test
    void wholeNumbersWrittenAsDecimals_areTakenAsWholeNumbers_andGoOnAsThem() throws Exception {
        // n 1.0 ran while max_tokens 2.0 was refused; a strict server behind would refuse either decimal
        // 0.99999999999999999 reads as the double 1, as the check read it: it went on as 0
        String body = "{" + M + ",\"n\":0.99999999999999999,\"max_tokens\":2.0,\"metadata\":{\"probe\":\"decimals\"}}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode sent = rig.fake().requests().stream()
                .filter(r -> r.path("metadata").path("probe").asText().equals("decimals")).findFirst().orElseThrow();
        assertThat(sent.get("n").isInt()).as(sent.toString()).isTrue();
        assertThat(sent.get("n").asInt()).isEqualTo(1);
        assertThat(sent.get("max_tokens").isInt()).as(sent.toString()).isTrue();
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(2);
    }

    @org.junit.jupiter.api.Test
    void numbersTheBackendDoesNotKnow_goOnAsNumbers_asWritten() throws Exception {
        // read as doubles and written back, -1e999 reached the backend as the string "-Infinity" and 1E5 as 100000.0
        String body = "{" + M + ",\"temperature\":1e-400,\"presence_penalty\":1E5,\"w\":-1e999,"
                + "\"metadata\":{\"probe\":\"numbers\"}}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode sent = rig.fake().requests().stream()
                .filter(r -> r.path("metadata").path("probe").asText().equals("numbers")).findFirst().orElseThrow();
        assertThat(sent.get("w").isNumber()).as(sent.toString()).isTrue();
        assertThat(sent.get("temperature").isNumber()).as(sent.toString()).isTrue();
        assertThat(sent.get("presence_penalty").asDouble()).isEqualTo(1e5);
    }

    @org.junit.jupiter.api.Test
    void nOfOnePointZero_isOne_andRuns() throws Exception {
        String body = "{" + M + ",\"n\":1.0}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("chat.completion");
    }

    @org.junit.jupiter.api.Test
    void aBadMaxTokensBesideAGoodMaxCompletionTokens_isNamedAsTheClientSentIt() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{" + M + ",\"max_completion_tokens\":5,\"max_tokens\":-1}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/param").asText()).isEqualTo("max_tokens");
    }

    /** The body goes on to a backend whose parser might read the rest: refused as the REST API refuses it. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"garbage", "{}", " [1]"})
    void anythingAfterTheObject_is400_andNoTaskRuns(String tail) throws Exception {
        int before = tasks();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{" + M + "}" + tail)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("invalid_json");
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("line 1, column");
        assertThat(tasks()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void twoPriorityHeaders_are400_andNoTaskRuns() throws Exception {
        int before = tasks();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("X-Priority", "9").header("X-Priority", "0")
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{" + M + "}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400); // the first one won, unsaid
        assertThat(JSON.readTree(response.body()).at("/error/param").asText()).isEqualTo("X-Priority");
        assertThat(tasks()).isEqualTo(before);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "+3", "03", "10", "-1", "3.0", "high"})
    void aPriorityHeaderThatIsNotOneDigit_is400_andNoTaskRuns(String value) throws Exception {
        int before = tasks();
        RawHttp.Answer answer = RawHttp.send(rig.server().baseUri().getPort(), "POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: localhost\r\nContent-Type: application/json\r\nX-Priority: " + value, "{" + M + "}");

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).at("/error/param").asText()).isEqualTo("X-Priority");
        assertThat(JSON.readTree(answer.body()).at("/error/message").asText())
                .startsWith("X-Priority must be one digit from 0 (most urgent) to 9")
                .endsWith(value.isEmpty() ? "got an empty value" : "got '" + value + "'");
        assertThat(tasks()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void aPriorityHeaderOutsidePrintableAscii_isRefused_withoutEchoingIt() throws Exception {
        // written byte for byte: HttpClient sends '?' for what it cannot encode; curl sends UTF-8, read as Latin-1
        RawHttp.Answer answer = RawHttp.send(rig.server().baseUri().getPort(), "POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: localhost\r\nContent-Type: application/json\r\nX-Priority: \u00c3\u00a9", "{" + M + "}");

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).at("/error/message").asText())
                .endsWith("got a value that is not printable ASCII").doesNotContain("\u00c3");
    }

    @org.junit.jupiter.api.Test
    void aRefusalBeforeTheHandler_isInOpenAisShapeToo() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        JsonNode error = JSON.readTree(response.body()).path("error"); // it had no type, which OpenAI clients read
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("method_not_allowed");
        assertThat(error.has("param")).isTrue();
        HttpResponse<String> oneModel = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + "/v1/models/fake-model"))
                .timeout(Duration.ofSeconds(20)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(oneModel.statusCode()).isEqualTo(415); // the guard on state-changing requests answers first
        assertThat(JSON.readTree(oneModel.body()).at("/error/type").asText()).as(oneModel.body()).isEqualTo("invalid_request_error");
    }

    /**
     * What Jetty refuses before any handler (a Content-Length beside a Transfer-Encoding, headers too
     * large), and what the body reader refuses before the body is read, on either front-door path: each
     * in OpenAI's shape, with its status, and nothing queued. Raw sockets: no client sends these.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "/v1/chat/completions | Transfer-Encoding beside Content-Length | 400 | bad_request",
        "/v1/completions      | Transfer-Encoding beside Content-Length | 400 | bad_request",
        "/v1/chat/completions | headers too large                       | 431 | headers_too_large",
        "/v1/completions      | headers too large                       | 431 | headers_too_large",
        "/v1/chat/completions | a declared length over the limit        | 413 | payload_too_large",
        "/v1/completions      | a body that does not come               | 408 | request_timeout",
    })
    void aRefusalBeforeTheBodyIsRead_isInOpenAisShape_withItsStatus(String path, String what, int status, String code) throws Exception {
        int before = tasks();
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
        String request = switch (what) {
            case "Transfer-Encoding beside Content-Length" -> head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
            case "headers too large" -> head + "X-Padding: " + "a".repeat(20_000) + "\r\nContent-Length: 2\r\n\r\n{}";
            // no byte of the body follows: the answer comes from the headers alone, not after Jetty's 30 s idle timeout
            case "a declared length over the limit" -> head + "Content-Length: 2000000000\r\n\r\n";
            default -> head + "Content-Length: 100\r\n\r\n{";
        };
        RawHttp.Answer answer = RawHttp.exact(rig.server().baseUri().getPort(), request);

        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(answer.body()).path("error"); // the REST shape has no type, which OpenAI clients read
        assertThat(error.path("type").asText()).as(answer.body()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.has("param")).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(tasks()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void aRequestJettyRefuses_elsewhere_keepsTheRestShape() throws Exception {
        RawHttp.Answer answer = RawHttp.exact(rig.server().baseUri().getPort(), "POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).path("error").has("type")).as(answer.body()).isFalse();
        assertThat(JSON.readTree(answer.body()).at("/error/code").asText()).isEqualTo("bad_request");
    }

    private static JsonNode refused(String spec) throws Exception {
        String path = "/v1/chat/completions";
        if (spec.startsWith("/")) {
            path = spec.substring(0, spec.indexOf(' '));
            spec = spec.substring(spec.indexOf(' ') + 1);
        }
        String body = spec.replace("{M,", "{" + M + ",").replace("{METADATA63}", java.util.stream.IntStream.range(0, 63)
                .mapToObj(i -> "'k" + i + "':'v'").collect(java.util.stream.Collectors.joining(",", "{", "}"))).replace('\'', '"');
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(rig.server().baseUri() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return JSON.readTree(response.body()).path("error");
    }

    private static int tasks() {
        return rig.engine().send(new Command.ListTasks(new TaskQuery(null, null, -1, 100))).join().tasks().size();
    }
}
