package io.queuedeck.engine.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;

/**
 * Reads request bodies in chunks as they arrive, never allocating what a client merely declares:
 * a body is held to the per-request limit, to a deadline for its arrival, and to a cap on the body
 * bytes all requests hold at once. The deadline is enforced by Jetty's own idle timeout, shortened
 * before each blocking read to what is left of it, so a sender that trickles or stalls is cut
 * exactly when its time is up, with no timer thread of ours.
 */
final class BodyReader {
    /** Bytes asked of the socket per read, and the first buffer's size when the length is not declared. */
    static final int CHUNK = 16 * 1024;

    private final long maxInFlightBytes;
    private final long timeoutNanos;
    private final LongSupplier nanos;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean draining;

    BodyReader(long maxInFlightBytes, long timeoutNanos, LongSupplier nanos) {
        this.maxInFlightBytes = maxInFlightBytes;
        this.timeoutNanos = timeoutNanos;
        this.nanos = nanos;
    }

    /** The server is stopping: a body not yet all here is refused (503) instead of read on. */
    void drain() {
        draining = true;
    }

    /** Body bytes held by requests right now (read and not yet parsed). */
    long inFlightBytes() {
        return inFlight.get();
    }

    /**
     * Reads the body, at most {@code limit} bytes, and parses it; its bytes count against the
     * in-flight cap until {@code parse} returns.
     *
     * @throws ApiException 413 over the limit, 408 when the body does not arrive in time (the
     *                      connection is then closed), 503 when the in-flight cap is reached
     */
    <T> T read(Context ctx, long limit, Function<byte[], T> parse) {
        // every header of the list, not the first only: "identity" then "gzip" is a gzipped body to a proxy in front
        for (String encoding : java.util.Collections.list(ctx.req().getHeaders("Content-Encoding"))) {
            if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
                // read as it is, a compressed body fails as "not JSON" at its first byte: say what is wrong
                throw new ApiException(415, "unsupported_media_type", "Content-Encoding '" + ApiException.shorten(encoding.strip())
                        + "' is not accepted: send the body uncompressed");
            }
        }
        String transfer = ctx.header("Transfer-Encoding");
        if (transfer != null && !transfer.strip().equalsIgnoreCase("chunked")) {
            // gzip, chunked read as plain chunks would be a body a proxy in front may read otherwise (RFC 9112, 6.1)
            ctx.header("Connection", "close");
            throw new ApiException(501, "not_implemented", "Transfer-Encoding '" + ApiException.shorten(transfer.strip())
                    + "' is not accepted: send the body with Content-Length or 'Transfer-Encoding: chunked' alone");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        long deadline = nanos.getAsLong() + timeoutNanos;
        EndPoint endPoint = endPoint(ctx);
        long idleMillis = endPoint == null ? 0 : endPoint.getIdleTimeout();
        // grow towards the declared length (or the limit) as bytes come, never beyond them
        long ceiling = declared >= 0 ? declared : limit + 1;
        byte[] buffer = new byte[(int) Math.min(CHUNK, ceiling)];
        int size = 0;
        long reserved = 0;
        try {
            InputStream in = ctx.req().getInputStream();
            while (true) {
                long left = deadline - nanos.getAsLong();
                if (left <= 0) {
                    throw timedOut(ctx);
                }
                if (endPoint != null) {
                    long leftMillis = Math.max(1, left / 1_000_000);
                    endPoint.setIdleTimeout(idleMillis > 0 ? Math.min(idleMillis, leftMillis) : leftMillis);
                }
                if (size == buffer.length) {
                    if (size >= ceiling) {
                        break; // the declared length, all of it (Jetty reads no further than it)
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min(ceiling, Math.max(CHUNK, (long) size * 2)));
                }
                if (draining && size > 0) {
                    // a body still arriving when the server stops would be cut without an answer at its close
                    ctx.header("Connection", "close");
                    throw new ApiException(503, "shutting_down", "the server is shutting down and the body had not all"
                            + " arrived; send it to another instance or retry after it restarts").retryAfter(1);
                }
                int n = in.read(buffer, size, Math.min(buffer.length - size, CHUNK));
                if (n < 0) {
                    break;
                }
                if (inFlight.addAndGet(n) > maxInFlightBytes) {
                    inFlight.addAndGet(-n);
                    ctx.header("Connection", "close"); // the rest of the body is not worth reading
                    throw new ApiException(503, "server_busy", "request bodies being received hold more than "
                            + maxInFlightBytes + " bytes together; retry later");
                }
                reserved += n;
                size += n;
                if (size > limit) {
                    throw tooLarge(limit);
                }
            }
            return parse.apply(size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
        } catch (IOException e) {
            if (isTimeout(e) || nanos.getAsLong() - deadline >= 0) {
                throw timedOut(ctx);
            }
            if (e instanceof EofException && endPoint != null && !endPoint.isInputShutdown()) {
                // Jetty's parser gave up on a chunk (a size that is not hex, or no CRLF after its data) and ends the
                // body as if the client had gone; the client is still there, and its request is malformed
                ctx.header("Connection", "close");
                throw new ApiException(400, "bad_request", "the chunked body is malformed after " + size
                        + " bytes: each chunk is its size in hex, CRLF, its data, CRLF, and a last chunk of size 0 ends it");
            }
            if (e instanceof EofException) {
                // the client went away mid-body: counted apart from malformed requests (rejected{reason})
                ctx.header("Connection", "close");
                throw new ApiException(400, "body_incomplete", "the connection ended after " + size + " bytes of the body, "
                        + (declared >= 0 ? "of the " + declared + " that Content-Length announced" : "before its last chunk"));
            }
            throw new ApiException(400, "bad_request", "the request body could not be read");
        } finally {
            inFlight.addAndGet(-reserved);
            if (endPoint != null) {
                endPoint.setIdleTimeout(idleMillis);
            }
        }
    }

    private ApiException timedOut(Context ctx) {
        ctx.header("Connection", "close");
        return new ApiException(408, "request_timeout", "the request body did not arrive within "
                + timeoutNanos / 1_000_000 + " ms");
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "payload_too_large", "the body must be at most " + limit + " bytes");
    }

    private static EndPoint endPoint(Context ctx) {
        Request request = Request.getBaseRequest(ctx.req());
        return request == null || request.getHttpChannel() == null ? null : request.getHttpChannel().getEndPoint();
    }
}
