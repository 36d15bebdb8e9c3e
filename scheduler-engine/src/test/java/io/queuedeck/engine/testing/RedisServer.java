package io.queuedeck.engine.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} child process per test class, on a free loopback port, in a temporary
 * directory: register it with {@code @RegisterExtension static final RedisServer REDIS = ...}.
 * Started before the class's first test (answering PING), killed after its last. Without the
 * binary the class fails, never skips: tests of the Redis store must not pass by not running.
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {
    static final String MISSING = "redis-server not found: apt-get install redis-server";
    private static final Duration READY_WITHIN = Duration.ofSeconds(15);

    private final List<String> persistence;
    private Path dir;
    private int port;
    private Process process;

    private RedisServer(List<String> persistence) {
        this.persistence = persistence;
    }

    /** Keeps nothing on disk: no snapshots, no append-only file. */
    public static RedisServer ephemeral() {
        return new RedisServer(List.of("--save", "", "--appendonly", "no"));
    }

    /** Every write in the append-only file and synced before Redis answers it, so a kill -9 loses nothing answered. */
    public static RedisServer appendOnlyAlways() {
        return new RedisServer(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("queuedeck-redis");
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            try {
                start();
                return;
            } catch (IllegalStateException e) {
                if (attempt == 3 || !log().contains("Address already in use")) {
                    throw e;
                }
                // another process took the port between our probe and Redis binding it: try another
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        kill();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Whether the server process is running. */
    public boolean running() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash or an operator's kill -9 would: nothing is flushed on the way out. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server (pid " + process.pid() + ") did not die within 10 s");
            }
        }
    }

    /** SIGSTOP: the server keeps its connections and answers nothing, as a long fork or a paused VM. */
    public void stall() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #stall}: the server runs what it was sent meanwhile, in order. */
    public void wake() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited with " + kill.exitValue());
        }
    }

    /** Starts the server (again) on the same port and directory, and waits until it answers PING. */
    public void start() throws IOException, InterruptedException {
        if (running()) {
            throw new IllegalStateException("redis-server is already running on port " + port);
        }
        List<String> command = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--daemonize", "no"));
        command.addAll(persistence);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (!answersPing()) {
            // waiting on the process doubles as the pause between polls and notices an early exit
            if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + " before answering"
                        + " PING on port " + port + "; its log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
                        + READY_WITHIN.toSeconds() + " s; its log:\n" + log());
            }
        }
    }

    /** Deletes every key, so the tests of one class need not share what another left. */
    public void flushAll() throws IOException {
        String answer = send("FLUSHALL");
        if (!"+OK".equals(answer)) {
            throw new IllegalStateException("FLUSHALL answered " + answer);
        }
    }

    /** CONFIG SET {@code key} {@code value} on the running server (a full Redis: maxmemory 1). */
    public void configSet(String key, String value) throws IOException {
        String answer = send("CONFIG SET " + key + " " + value);
        if (!"+OK".equals(answer)) {
            throw new IllegalStateException("CONFIG SET " + key + " answered " + answer);
        }
    }

    /** How many commands the server answered with error {@code code} ({@code OOM}, {@code READONLY}): INFO errorstats. */
    public long errorsAnswered(String code) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("INFO errorstats\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            int length = Integer.parseInt(in.readLine().substring(1)); // a bulk reply: $N, then N bytes
            char[] body = new char[length];
            for (int read = 0; read < length; ) {
                read += in.read(body, read, length - read);
            }
            return new String(body).lines().filter(l -> l.startsWith("errorstat_" + code + ":count="))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf('=') + 1).split(",")[0])).sum();
        }
    }

    private boolean answersPing() {
        try {
            return "+PONG".equals(send("PING")); // "-LOADING ..." while it reads its append-only file
        } catch (IOException e) {
            return false;
        }
    }

    /** One inline command, its first line of answer. */
    private String send(String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private String log() {
        try {
            Path file = dir.resolve("redis.log");
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String binary() {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(File.pathSeparator)));
        dirs.add("/usr/bin");
        dirs.add("/usr/sbin");
        return binary(dirs);
    }

    /** The first {@code redis-server} in {@code dirs}; none fails the test class, it never skips it. */
    static String binary(List<String> dirs) {
        for (String d : dirs) {
            Path candidate = Path.of(d, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(MISSING);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
