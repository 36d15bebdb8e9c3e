package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * What a backend says when it refuses or fails: an error body's message, an error event in a
 * stream in either of its shapes, and its HTTP-like code. Everything kept is shortened, and a
 * backend's control characters do not reach a task's error raw.
 */
final class BackendErrors {
    private BackendErrors() {}

    /** What of an error body is read: its message is shown shortened, and the body may never end. */
    private static final long MAX_ERROR_BODY_BYTES = 16 * 1024;
    private static final int MAX_SHOWN_CHARS = 300;

    /**
     * A successful answer that is no event stream: OkHttp refuses it with its own exception (not the
     * null the listener's contract suggests), which would read as a broken connection.
     */
    static boolean notAnEventStream(Response response) {
        ResponseBody body = response.body();
        okhttp3.MediaType type = body == null ? null : body.contentType();
        return response.isSuccessful() && (type == null || !"text".equals(type.type()) || !"event-stream".equals(type.subtype()));
    }

    /** A connection failure in words for the task's error and the client: no Java class names. */
    static String why(Throwable t) {
        if (t instanceof EOFException) {
            return "the backend closed the connection before its answer ended";
        }
        if (t instanceof ConnectException) {
            return "the backend refused the connection";
        }
        if (t instanceof UnknownHostException) {
            return "the backend's host name is unknown";
        }
        String message = t == null ? null : t.getMessage();
        return message == null || message.isBlank() ? "the connection broke" : message;
    }

    /** The OpenAI error shape's message, else the body itself, shortened. */
    static String ofBody(Response response) {
        ResponseBody body = response.body();
        String raw;
        try {
            raw = body == null ? "" : BodyLimit.start(body, MAX_ERROR_BODY_BYTES);
        } catch (IOException | IllegalStateException e) {
            return "(no readable body)";
        }
        try {
            JsonNode node = OpenAiInput.JSON.readTree(raw);
            if (node != null && node.has("error")) {
                return message(node.get("error"));
            }
            if (node != null && node.hasNonNull("message")) {
                return shown(node.get("message").asText()); // llama.cpp and others
            }
            if (node != null && node.hasNonNull("detail")) {
                return shown(node.get("detail").toString()); // FastAPI validation errors
            }
        } catch (IOException notJson) {
            // cut at its limit, or not JSON: a message field still says more than the raw text
            java.util.regex.Matcher message = CUT_MESSAGE.matcher(raw);
            if (message.find()) { // its start at most: a message of 100 KB is cut there, maybe inside an escape
                String start = message.group(1);
                for (int cut = 0; cut <= 6 && cut < start.length(); cut++) {
                    try {
                        return shown(OpenAiInput.JSON.readValue("\"" + start.substring(0, start.length() - cut) + "\"", String.class));
                    } catch (IOException inAnEscape) {
                        // one character shorter
                    }
                }
            }
        }
        return raw.isBlank() ? "(empty body)" : shown(raw);
    }

    /** The first JSON string after a "message" key, in a body too long to read whole (a 20 KB detail after a short message). */
    private static final Pattern CUT_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){1,400})");

    /**
     * An error sent as the whole event rather than under "error" (vLLM's older shape:
     * {@code {"object": "error", "message": …, "code": 400}}), or null for anything else.
     */
    static JsonNode bare(String data) {
        try {
            JsonNode node = OpenAiInput.JSON.readTree(data);
            return node != null && "error".equals(node.path("object").asText()) && node.has("message") ? node : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** An error event's HTTP-like code (vLLM sends {@code "code": 400}, others {@code "status"}), or 0 when it names none. */
    static int code(JsonNode error) {
        JsonNode code = error.has("code") ? error.path("code") : error.path("status");
        return code.canConvertToInt() && code.isIntegralNumber() ? code.intValue()
                : code.isTextual() && code.asText().matches("[1-5][0-9]{2}") ? Integer.parseInt(code.asText()) : 0;
    }

    /** An error object's message (or the error itself, when it is a string), shortened for a task and a tenant. */
    static String message(JsonNode error) {
        if (error.isTextual()) {
            return shown(error.asText()); // kept on the task and sent on: a megabyte of it, per task, ran the heap out
        }
        JsonNode message = error.get("message");
        return shown(message != null && !message.isNull() ? message.asText() : error.toString()); // a tenant reads it
    }

    /** {@code text} on one line, control characters replaced, shortened to {@value #MAX_SHOWN_CHARS} characters. */
    static String shown(String text) {
        // a backend's control characters (NUL, ESC) would reach a task's error, logs and terminals raw
        String oneLine = text.replaceAll("\\s+", " ").replaceAll("[\\p{Cc}\\p{Cf}]", "\uFFFD").strip();
        return oneLine.length() <= MAX_SHOWN_CHARS ? oneLine : oneLine.substring(0, MAX_SHOWN_CHARS) + "...";
    }
}
