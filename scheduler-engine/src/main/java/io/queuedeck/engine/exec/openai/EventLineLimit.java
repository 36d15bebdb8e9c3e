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
 * Cuts a backend's stream when one line of it grows past {@link #MAX_LINE_BYTES}: the event
 * reader buffers a line whole before it hands on the event, so a server that sends hundreds of
 * megabytes without a newline would fill the heap with one "event". Real events are a chunk of
 * JSON, a few hundred bytes (a few kilobytes with log probabilities).
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
        return response.newBuilder().body(ResponseBody.create(limited, body.contentType(), body.contentLength())).build();
    }

    private static final class LineCounting extends ForwardingSource {
        private long sinceNewline;

        LineCounting(BufferedSource source) {
            super(source);
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            long start = sink.size();
            long read = super.read(sink, byteCount);
            if (read > 0) {
                long last = -1;
                for (long at = sink.indexOf((byte) '\n', start); at >= 0; at = sink.indexOf((byte) '\n', at + 1)) {
                    last = at;
                }
                sinceNewline = last < 0 ? sinceNewline + read : sink.size() - last - 1;
                if (sinceNewline > MAX_LINE_BYTES) {
                    throw new IOException("malformed stream: a line of the stream is longer than " + (MAX_LINE_BYTES >> 20)
                            + " MiB");
                }
            }
            return read;
        }
    }
}
