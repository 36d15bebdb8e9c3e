import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The durable intake's latency as each request saw it: one blocking connection per thread, each
 * sending the next task as soon as the last was answered, the same body as intake.lua. Unlike wrk,
 * which corrects its percentiles for coordinated omission (it adds the requests a steady-rate
 * client would have sent while the server stood still), this counts only the requests it sent, so
 * a pause of the whole server weighs as many requests as were in flight. Both views of one server,
 * side by side, show how much of wrk's p99 is such pauses.
 *
 * <p>Usage: {@code java scheduler-engine/src/bench/java/BlockingIntake.java PORT CONNECTIONS SECONDS}
 */
public final class BlockingIntake {
    private BlockingIntake() {}

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String run = Long.toString(System.nanoTime(), 36);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[][] latencies = new long[connections][];
        Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            int connection = c;
            threads[c] = Thread.ofPlatform().start(() -> latencies[connection] = send(port, "b" + run + "-" + connection, end));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("%d requests, %.0f/s, p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.1f ms%n", all.length,
                all.length / (double) seconds, at(all, 0.5), at(all, 0.9), at(all, 0.99), at(all, 0.999), all[all.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[(int) (sorted.length * quantile)] / 1e6;
    }

    private static long[] send(int port, String prefix, long end) {
        long[] took = new long[1 << 16];
        int n = 0;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (System.nanoTime() < end) {
                byte[] body = ("{\"task_id\":\"" + prefix + "-" + n + "\",\"model\":\"llama-2-7b\","
                        + "\"input\":\"Summarise the quarterly report in three bullet points.\",\"priority\":" + (n % 10)
                        + ",\"max_tokens\":64,\"tenant\":\"bench\"}").getBytes(StandardCharsets.UTF_8);
                byte[] head = ("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                long began = System.nanoTime();
                out.write(head);
                out.write(body);
                out.flush();
                String status = line(in);
                if (!status.contains(" 202 ")) {
                    throw new IllegalStateException("expected 202, got " + status);
                }
                int length = 0;
                for (String header = line(in); !header.isEmpty(); header = line(in)) {
                    if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                if (n == took.length) {
                    took = Arrays.copyOf(took, n * 2);
                }
                took[n++] = System.nanoTime() - began;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(took, n);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int ch = in.read(); ch != '\n'; ch = in.read()) {
            if (ch < 0) {
                throw new EOFException("connection closed");
            }
            if (ch != '\r') {
                line.append((char) ch);
            }
        }
        return line.toString();
    }
}
