package io.queuedeck.engine.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An in-process TCP proxy that puts faults on a real connection, after Toxiproxy: clients connect
 * to {@link #port()} on the loopback address and the proxy relays to the upstream, applying the
 * current {@link Toxics} to every chunk it relays. Point a backend's or a callback receiver's URL
 * at the proxy to drill what a slow, stalled, resetting or absent peer does.
 *
 * <p>Each connection takes two threads of the given factory; the proxy is for drills and tests,
 * not for traffic in production.
 */
public final class TcpFaultProxy implements AutoCloseable {
    private static final int CHUNK = 8 * 1024;
    /** How often a held ("timeout") or delayed relay looks at the toxics again. */
    private static final long RECHECK_NANOS = 20_000_000L;

    private final InetSocketAddress upstream;
    private final ThreadFactory threads;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final SplittableRandom random = new SplittableRandom(7);
    private volatile Toxics toxics = Toxics.NONE;
    private volatile boolean closed;
    private volatile Consumer<Toxics> listener = value -> { };

    /**
     * Faults on a connection; all off in {@link #NONE}.
     *
     * @param latencyMs         delay added before each relayed chunk
     * @param jitterMs          up to this much more, drawn per chunk
     * @param bandwidthKbps     throughput cap in kilobits a second; 0 for none
     * @param timeout           data is held (not relayed, not refused) while set: a stalled peer
     * @param reset             connections are reset (RST) at their next chunk, and new ones at once
     * @param down              new connections are refused and open ones closed
     * @param status            0, or an HTTP status (429, 5xx) the proxy answers every request it
     *                          sees from the client with, in the peer's place, then closes the
     *                          connection: an HTTP server failing in front of the real one
     * @param retryAfterSeconds the {@code Retry-After} of that answer (0: none)
     */
    public record Toxics(long latencyMs, long jitterMs, long bandwidthKbps, boolean timeout, boolean reset, boolean down,
                         int status, long retryAfterSeconds) {
        public static final Toxics NONE = new Toxics(0, 0, 0, false, false, false);

        public Toxics {
            if (latencyMs < 0 || jitterMs < 0 || bandwidthKbps < 0 || retryAfterSeconds < 0) {
                throw new IllegalArgumentException("latency, jitter, bandwidth and retry-after must not be negative");
            }
            if (status != 0 && status != 429 && !(status >= 500 && status <= 599)) {
                throw new IllegalArgumentException("parameters.status: must be 0 (none), 429 or 500..599, got " + status);
            }
        }

        /** Connection faults only, no HTTP answer. */
        public Toxics(long latencyMs, long jitterMs, long bandwidthKbps, boolean timeout, boolean reset, boolean down) {
            this(latencyMs, jitterMs, bandwidthKbps, timeout, reset, down, 0, 0);
        }

        /** The toxics a {@link FaultKind#NETWORK} fault asks for. */
        static Toxics of(FaultSpec spec) {
            return new Toxics((long) spec.parameter("latency_ms"), (long) spec.parameter("jitter_ms"),
                    (long) spec.parameter("bandwidth_kbps"), spec.parameter("timeout") > 0, spec.parameter("reset") > 0,
                    spec.parameter("down") > 0, (int) spec.parameter("status"), (long) spec.parameter("retry_after_s"));
        }
    }

    /** Starts listening on an ephemeral loopback port, relaying to {@code upstream}. */
    public TcpFaultProxy(InetSocketAddress upstream, ThreadFactory threads) throws IOException {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.newThread(this::acceptLoop).start();
    }

    /** The port clients connect to, on the loopback address. */
    public int port() {
        return server.getLocalPort();
    }

    /** The faults in force. */
    public Toxics toxics() {
        return toxics;
    }

    /** Replaces the faults in force; {@link Toxics#NONE} ends them. */
    public void set(Toxics value) {
        toxics = Objects.requireNonNull(value, "toxics");
        if (value.down() || value.reset()) {
            for (Socket socket : open) {
                abort(socket, value.reset());
            }
        }
        listener.accept(value);
    }

    /**
     * Told, on the thread that calls {@link #set}, every change of the faults in force once it
     * acts: a drill on the virtual clock holds its time there until the client has met the change.
     */
    public void onSet(Consumer<Toxics> value) {
        listener = Objects.requireNonNull(value, "listener");
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : open) {
            abort(socket, false);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Toxics now = toxics;
            if (now.down() || now.reset()) {
                abort(client, now.reset());
                continue;
            }
            Socket target = new Socket();
            try {
                target.connect(upstream, 5_000);
            } catch (IOException e) {
                abort(client, true); // the upstream itself is away: the client sees a reset, as it would
                continue;
            }
            open.add(client);
            open.add(target);
            threads.newThread(() -> pump(client, target, true)).start();
            threads.newThread(() -> pump(target, client, false)).start();
        }
    }

    /** Relays {@code from} to {@code to}; {@code fromClient} when {@code from} is the proxy's client. */
    private void pump(Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                Toxics now = toxics;
                while (now.timeout() && !now.down() && !now.reset() && !closed) {
                    LockSupport.parkNanos(RECHECK_NANOS);
                    now = toxics;
                }
                if (now.down() || now.reset() || closed) {
                    break;
                }
                if (fromClient && now.status() != 0) {
                    answer(from, now); // the request goes no further: the proxy answers in the server's place
                    break;
                }
                long delayMs = now.latencyMs() + (now.jitterMs() > 0 ? random.nextLong(now.jitterMs() + 1) : 0);
                if (now.bandwidthKbps() > 0) {
                    delayMs += n * 8L / now.bandwidthKbps();
                }
                park(delayMs * 1_000_000L);
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side went away: close both
        } finally {
            Toxics now = toxics;
            abort(from, now.reset());
            abort(to, now.reset());
        }
    }

    /**
     * Writes an HTTP error answer to the client and closes the connection, as a server that
     * fails a request does ({@code Connection: close}).
     */
    private static void answer(Socket client, Toxics now) throws IOException {
        String body = "{\"error\":{\"message\":\"fault proxy: HTTP " + now.status() + "\",\"type\":\"server_error\"}}";
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + now.status() + (now.status() == 429 ? " Too Many Requests" : " Service Unavailable")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n"
                + (now.retryAfterSeconds() > 0 ? "Retry-After: " + now.retryAfterSeconds() + "\r\n" : "") + "\r\n";
        OutputStream out = client.getOutputStream();
        out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        client.shutdownOutput(); // FIN after the answer, so the client reads it whole
    }

    private static void park(long nanos) {
        long left = nanos;
        while (left > 0) {
            long slice = Math.min(left, RECHECK_NANOS);
            LockSupport.parkNanos(slice);
            left -= slice;
        }
    }

    private void abort(Socket socket, boolean reset) {
        open.remove(socket);
        try {
            if (reset && !socket.isClosed()) {
                socket.setSoLinger(true, 0); // close with RST rather than FIN
            }
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
