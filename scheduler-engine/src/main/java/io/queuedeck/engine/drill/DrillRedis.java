package io.queuedeck.engine.drill;

import io.queuedeck.engine.fault.TcpFaultProxy;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.TaskStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for a drill whose target has {@code store: redis}: started on a free
 * loopback port with nothing kept on disk, with a {@link TcpFaultProxy} in front of it (the
 * Toxiproxy model), so {@code network} faults on {@code backend:redis} make Redis unreachable or
 * slow for the engine while the server itself keeps running.
 */
final class DrillRedis implements AutoCloseable {
    /** What a drill that needs Redis says when the machine has none. */
    static final String MISSING = "target.store: redis needs a redis-server on the PATH (or in /usr/bin, /usr/sbin)"
            + " and none was found; install it (apt-get install redis-server), as CI does";
    /** The name {@code network} faults use for it: {@code target: "backend:redis"}. */
    static final String PROXY_NAME = "redis";
    private static final long READY_WITHIN_MILLIS = 15_000;
    private static final long POLL_MILLIS = 20;
    /** Longer than the store's reconnect backoff cap (2 s) and its command timeout (10 s). */
    private static final long HOLD_WITHIN_MILLIS = 30_000;
    /** Removes a record no task has (sequences start at 1): a write that changes nothing. */
    private static final List<StoreWrite> PROBE = List.of(new StoreWrite.RemoveTask("drill-redis-probe", -1));

    private final Path dir;
    private final Process process;
    private final int port;
    final TcpFaultProxy proxy;

    DrillRedis() {
        String binary = binary();
        try {
            dir = Files.createTempDirectory("queuedeck-drill-redis");
            port = freePort();
            process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir",
                    dir.toString(), "--daemonize", "no", "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
            // counted in polls rather than read from a clock: the engine reads time only through its clock
            long polls = 0;
            while (!answersPing()) {
                // waiting on the process doubles as the pause between polls and notices an early exit
                if (process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS) || ++polls > READY_WITHIN_MILLIS / POLL_MILLIS) {
                    process.destroyForcibly();
                    throw new IllegalStateException("redis-server did not answer PING on port " + port + "; its log:\n"
                            + Files.readString(dir.resolve("redis.log")));
                }
            }
            proxy = new TcpFaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    Thread.ofVirtual().name("drill-redis-proxy-", 0).factory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server for the drill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }

    /**
     * On the virtual clock, called where a {@code network} fault begins or ends (the drill's
     * thread, inside the clock's step): holds the drill's time until the engine's own Redis client
     * has met the change in real time (refused once Redis is cut off, answering again once it has
     * reconnected), so what the drill measures is the engine's handling, not how fast the machine
     * outruns the client's reconnect. A no-op write through {@code store} (removing a record that
     * does not exist) is the test: a real round trip on the engine's connection. Answers what to log.
     */
    String holdUntilClientSees(boolean reachable, TaskStore store) {
        long polls = 0;
        while (true) {
            boolean answered;
            try {
                store.write(PROBE);
                answered = true;
            } catch (RuntimeException e) {
                answered = false;
            }
            if (answered == reachable) {
                return (reachable ? "the engine's Redis client reconnected" : "the engine's Redis client lost Redis")
                        + " after " + polls + " real-time checks of " + POLL_MILLIS + " ms (virtual time held meanwhile)";
            }
            if (++polls > HOLD_WITHIN_MILLIS / POLL_MILLIS) {
                return "the engine's Redis client still " + (reachable ? "cannot reach" : "reaches") + " Redis after "
                        + HOLD_WITHIN_MILLIS / 1000 + " s of real time: the drill goes on";
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
        }
    }

    /** The URI the engine's store uses: through the fault proxy. */
    String uri() {
        return "redis://127.0.0.1:" + proxy.port();
    }

    /** Whether this machine has a redis-server. */
    static boolean available() {
        try {
            binary();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String binary() {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(File.pathSeparator)));
        dirs.add("/usr/bin");
        dirs.add("/usr/sbin");
        return binary(dirs);
    }

    /** The first {@code redis-server} in {@code dirs}; none is a clear error (exit 2 from {@code drill}). */
    static String binary(List<String> dirs) {
        for (String d : dirs) {
            Path candidate = Path.of(d, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalArgumentException(MISSING);
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return "+PONG".equals(new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine());
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
