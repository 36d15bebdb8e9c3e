package io.queuedeck.engine.exec.openai;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * Reads a backend's stream for the event reader: every line ending the SSE format allows (CRLF, a
 * lone CR, LF) is handed on as LF, since a lone CR kept OkHttp's reader spinning for ever on its
 * thread (no timeout fired, and with two carrier threads the whole server stopped answering); and
 * the stream is cut when one line of it grows past {@link #MAX_LINE_BYTES}: the reader buffers a
 * line whole before it hands on the event, so a server that sends hundreds of megabytes without a
 * newline would fill the heap with one "event". Real events are a chunk of JSON, a few hundred
 * bytes (a few kilobytes with log probabilities).
 */
final class EventLineLimit implements Interceptor {
    static final long MAX_LINE_BYTES = 1 << 20;

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        ResponseBody body = response.body();
        if (body == null || !response.isSuccessful()) {
            return response;
        }
        BufferedSource limited = Okio.buffer(new LineCounting(body.source()));
        BodyTimeout timeout = chain.request().tag(BodyTimeout.class);
        if (timeout != null) {
            timeout.timeout = limited.timeout();
        }
        return response.newBuilder().body(ResponseBody.create(limited, body.contentType(), -1)).build();
    }

    private static final class LineCounting extends ForwardingSource {
        private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        private final Buffer raw = new Buffer();
        /** Bytes of a leading byte-order mark held back so far; -1 once the stream's first bytes are past. */
        private int bom;
        private long sinceNewline;
        /** The last byte handed on ended a line with a CR: an LF that follows it is the same line ending. */
        private boolean afterCr;

        LineCounting(BufferedSource source) {
            super(source);
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            long handed = 0;
            while (handed == 0) { // a read that held only the LF of a CRLF hands nothing on: read again
                long read = super.read(raw, byteCount);
                if (read < 0) {
                    return -1;
                }
                while (!raw.exhausted()) {
                    byte b = raw.readByte();
                    if (bom >= 0) {
                        if (b == BOM[bom]) {
                            bom = bom + 1 == BOM.length ? -1 : bom + 1;
                            continue;
                        }
                        sink.write(BOM, 0, bom); // the start of something else: hand on what was held back
                        sinceNewline += bom;
                        handed += bom;
                        bom = -1;
                    }
                    if (afterCr && b == '\n') {
                        afterCr = false;
                        continue;
                    }
                    afterCr = b == '\r';
                    if (b == '\r' || b == '\n') {
                        sink.writeByte('\n');
                        sinceNewline = 0;
                    } else {
                        sink.writeByte(b);
                        if (++sinceNewline > MAX_LINE_BYTES) {
                            throw new LineTooLong("malformed stream: a line of the stream is longer than " + (MAX_LINE_BYTES >> 20)
                                    + " MiB");
                        }
                    }
                    handed++;
                }
            }
            return handed;
        }
    }

    /**
     * The stream body's timeout, for its listener to bound what is left once the answer has ended:
     * the event source hands the listener a response whose body is stripped of its source.
     */
    static final class BodyTimeout {
        private okio.Timeout timeout; // set and used on the stream's thread

        /** The body must end within {@code millis}, whatever it still sends (keep-alive comments too). */
        void endWithin(long millis) {
            if (timeout != null && !timeout.hasDeadline()) {
                timeout.deadline(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    /** A line past the limit: the same request would bring the same line, so it is not tried again. */
    static final class LineTooLong extends IOException {
        LineTooLong(String message) {
            super(message);
        }
    }
}
