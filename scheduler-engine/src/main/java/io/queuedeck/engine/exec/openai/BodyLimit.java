package io.queuedeck.engine.exec.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Reads a backend's response body up to a number of bytes, never more: a body's declared length
 * says nothing of a chunked or compressed one, and a backend's error page, model list or metrics
 * read whole (an endless chunked 500, a 500 MB {@code /metrics}) ran the heap out.
 */
final class BodyLimit {
    private BodyLimit() {}

    /** The body's text if it has at most {@code maxBytes} bytes, else null. */
    static String whole(ResponseBody body, long maxBytes) throws IOException {
        BufferedSource source = body.source();
        if (source.request(maxBytes + 1)) {
            return null;
        }
        return source.getBuffer().readString(StandardCharsets.UTF_8);
    }

    /** The body's first {@code maxBytes} bytes as text (a character cut in two reads as U+FFFD). */
    static String start(ResponseBody body, long maxBytes) throws IOException {
        BufferedSource source = body.source();
        source.request(maxBytes);
        return source.getBuffer().readString(Math.min(maxBytes, source.getBuffer().size()), StandardCharsets.UTF_8);
    }
}
