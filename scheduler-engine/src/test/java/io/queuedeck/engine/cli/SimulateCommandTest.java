package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.policy.PolicyRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = Main.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void simulate_sameSeed_byteIdenticalOutput() {
        String[] args = {"simulate", "--policy", "fifo,priority,mlfq", "--tasks", "1500", "--load", "0.95", "--seed", "7",
                "--format", "json"};
        Run first = run(args);
        Run second = run(args);

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isNotBlank().isEqualTo(second.out());
    }

    @Test
    void simulate_otherSeed_differentOutput() {
        Run a = run("simulate", "--policy", "fifo", "--tasks", "800", "--seed", "1", "--format", "csv");
        Run b = run("simulate", "--policy", "fifo", "--tasks", "800", "--seed", "2", "--format", "csv");

        assertThat(a.out()).isNotEqualTo(b.out());
    }

    @Test
    void simulate_jsonFormat_onePolicyObjectWithSnakeCaseKeys() throws Exception {
        Run result = run("simulate", "--policy", "fifo,mlfq", "--tasks", "1000", "--format", "json");

        JsonNode report = new ObjectMapper().readTree(result.out());
        assertThat(report.isArray()).isTrue();
        assertThat(report).hasSize(2);
        JsonNode fifo = report.get(0);
        assertThat(fifo.get("policy").asText()).isEqualTo("fifo");
        for (String key : new String[] {"throughput_tps", "latency_mean_ms", "latency_p50_ms", "latency_p99_ms",
                "ttft_mean_ms", "ttft_p99_ms", "queue_wait_mean_ms", "by_priority"}) {
            assertThat(fifo.has(key)).as(key).isTrue();
        }
        assertThat(fifo.get("tasks").asLong()).isEqualTo(1000);
        // The chat mix has priorities 1, 3 and 5, and every task is counted in exactly one class.
        long perClass = 0;
        for (String priority : new String[] {"1", "3", "5"}) {
            perClass += fifo.get("by_priority").get(priority).get("tasks").asLong();
        }
        assertThat(perClass).isEqualTo(1000);
    }

    @Test
    void simulate_csvFormat_headerAndRowPerPolicyAndClass() {
        Run result = run("simulate", "--policy", "priority", "--tasks", "500", "--format", "csv");

        String[] lines = result.out().strip().split("\n");
        assertThat(lines[0]).startsWith("policy,class,tasks,throughput_tps");
        assertThat(lines).hasSize(1 + 1 + 3);
        assertThat(lines[1]).startsWith("priority,all,500,");
    }

    @Test
    void simulate_unknownPolicy_exitCode2WithKnownNames() {
        Run result = run("simulate", "--policy", "lottery", "--tasks", "10");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("unknown policy 'lottery'").contains("fifo, priority, mlfq");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void simulate_unknownPolicyParameter_exitCode2NamingIt() {
        Run result = run("simulate", "--policy", "mlfq", "--tasks", "10", "--param", "mlfq.quantum=5");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("unknown parameter [quantum] for policy mlfq");
    }

    /** Each ran out of heap, stalled, hung, or gave wrong priorities without a word. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "--tasks 2147483647                   | Invalid value for option '--tasks': must be 1 to 2000000, got 2147483647",
        "--tasks 99999999999                  | Invalid value for option '--tasks': must be 1 to 2000000, got 99999999999",
        "--tasks 2.5                          | Invalid value for option '--tasks': '2.5' is not a whole number; give 1 to 2000000",
        "--tenants 99999999999 --trace azure-code-2023.csv | Invalid value for option '--tenants': must be 0 to 2147483647, got 99999999999",
        "--tenants -1 --trace azure-code-2023.csv | Invalid value for option '--tenants': must be 0 to 2147483647, got -1",
        "--max-batch 99999999999              | Invalid value for option '--max-batch': must be 1 to 2147483647, got 99999999999",
        "--max-batch 0                        | Invalid value for option '--max-batch': must be 1 to 2147483647, got 0",
        "--max-batched-tokens 99999999999     | Invalid value for option '--max-batched-tokens': must be 1 to 2147483647, got 99999999999",
        "--threads 99999999999                | Invalid value for option '--threads': must be 1 to 2147483647, got 99999999999",
        "--threads 0                          | Invalid value for option '--threads': must be 1 to 2147483647, got 0",
        "--kv-tokens 99999999999999999999     | Invalid value for option '--kv-tokens': must be 1 to 9223372036854775807, got 99999999999999999999",
        "--urgent-priority 10                 | Invalid value for option '--urgent-priority': must be -1 to 9, got 10",
        "--bulk-chunk-tokens -2 --urgent-priority 0 | Invalid value for option '--bulk-chunk-tokens': must be -1 to 2147483647, got -2",
        "--seed 99999999999999999999          | Invalid value for option '--seed': must be -9223372036854775808 to 9223372036854775807, got 99999999999999999999",
        "--instances 99999999999              | Invalid value for option '--instances': must be 1 to 10000, got 99999999999",
        "--instances 10001                    | Invalid value for option '--instances': must be 1 to 10000, got 10001",
        "--instances 0                        | Invalid value for option '--instances': must be 1 to 10000, got 0",
        "--time-scale 1e15 --trace azure-code-2023.csv | --time-scale must be in [0.000001, 1000000]",
        "--priorities mix:1=Infinity,3=1 --trace azure-code-2023.csv | SHARE > 0 (at most 1e9), got '1=Infinity'",
        "--priorities mix:1=1,1=1 --trace azure-code-2023.csv | gives priority 1 twice",
        "--policy ,                           | --policy names no policy",
        "--profile /dev/zero                  | it is not a regular file",
        "--trace /tmp                         | /tmp: cannot read: it is a directory",
        "--out /etc/passwd                    | --out /etc/passwd: cannot write the report there (a file is there, not a directory)",
    })
    void simulate_argumentsBeyondReason_exitCode2SayingWhich(String args, String message) {
        List<String> all = new java.util.ArrayList<>(List.of("simulate", "--tasks", "10"));
        all.addAll(List.of(args.split(" ")));
        if (args.startsWith("--tasks") || args.contains("--trace")) { // a trace takes no --tasks
            all.subList(1, 3).clear();
        }
        Run result = run(all.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(message).doesNotContain("Exception");
    }

    @Test
    void simulate_badFormat_exitCode2() {
        Run result = run("simulate", "--tasks", "10", "--format", "xml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--format must be table, json or csv");
    }

    @Test
    void simulate_bulkChunkCapWithoutUrgentClass_exitCode2() {
        Run result = run("simulate", "--tasks", "10", "--bulk-chunk-tokens", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--bulk-chunk-tokens needs --urgent-priority");
    }

    @Test
    void simulate_urgentClass_sameSeed_byteIdenticalOutput() {
        String[] args = {"simulate", "--policy", "priority,mlfq", "--tasks", "1000", "--load", "1.05", "--seed", "3",
                "--urgent-priority", "1", "--bulk-chunk-tokens", "0", "--kv-tokens", "20000", "--format", "json"};
        Run first = run(args);
        Run second = run(args);

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isNotBlank().isEqualTo(second.out());
    }

    // ------------------------------------------------------------------ trace replays

    /** 60 requests over 30 s, with tenants and deadlines in some rows. */
    private static Path smallTrace(Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("arrival_ms,prompt_tokens,output_tokens,tenant,deadline_ms\n");
        for (int i = 0; i < 60; i++) {
            csv.append(i * 500).append(',').append(200 + (i * 37) % 900).append(',').append(20 + (i * 53) % 300)
                    .append(',').append(i % 3 == 0 ? "" : "t" + (i % 2)).append(',')
                    .append(i % 4 == 0 ? Integer.toString(i * 500 + 2_000) : "").append('\n');
        }
        Path file = dir.resolve("small.csv");
        Files.writeString(file, csv.toString());
        return file;
    }

    @Test
    void simulate_traceFile_everyRowReplayedUnderEveryPolicy(@TempDir Path dir) throws Exception {
        Run result = run("simulate", "--trace", smallTrace(dir).toString(), "--policy", "fifo,priority,mlfq",
                "--load", "1.2", "--instances", "1", "--max-batch", "4", "--format", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(result.out());
        assertThat(report).hasSize(3);
        for (JsonNode policy : report) {
            assertThat(policy.get("tasks").asLong()).isEqualTo(60);
            assertThat(policy.get("rejected").asLong()).isZero();
            // Rows with a tenant name t0 or t1; the others are grouped under (none).
            assertThat(policy.get("by_tenant").has("t0")).isTrue();
            assertThat(policy.get("by_tenant").has("(none)")).isTrue();
            assertThat(policy.get("deadline_miss_rate").asDouble()).isBetween(0.0, 1.0);
            assertThat(policy.get("oracle_ratio").isNull()).isTrue();
        }
        assertThat(result.err()).contains("60 requests of small.csv").contains("(load 1.20)");
    }

    @Test
    void simulate_traceWithTimeScale_reportsTheLoadItOffers(@TempDir Path dir) throws Exception {
        Run result = run("simulate", "--trace", smallTrace(dir).toString(), "--policy", "fifo", "--time-scale", "0.5",
                "--window", "10:20", "--priorities", "mix:1=0.5,5=0.5", "--tenants", "2", "--format", "csv");

        assertThat(result.exitCode()).as(result.err()).isZero();
        // Rows at 10.0, 10.5, ... 20.0 s: 21 of them.
        assertThat(result.out()).contains("fifo,all,21,");
        assertThat(result.out()).contains("priority 1").contains("priority 5");
        assertThat(result.err()).contains("21 requests of small.csv (window 10:20 s) at time scale 0.5000");
    }

    @Test
    void simulate_deadlinesRule_missRateReportedPerClass(@TempDir Path dir) throws Exception {
        // One slot and heavy overload: priority 5 tasks cannot all finish within 1 s; priority 1
        // tasks have no deadline, so their class reports 0.
        StringBuilder csv = new StringBuilder("arrival_ms,prompt_tokens,output_tokens\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i * 100).append(",500,").append(50 + i * 7).append('\n');
        }
        Path trace = dir.resolve("no-deadlines.csv");
        Files.writeString(trace, csv.toString());
        Run result = run("simulate", "--trace", trace.toString(), "--policy", "fifo", "--load", "3",
                "--instances", "1", "--max-batch", "1", "--priorities", "mix:1=0.5,5=0.5", "--deadlines", "5=1",
                "--format", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode fifo = new ObjectMapper().readTree(result.out()).get(0);
        assertThat(fifo.get("by_priority").get("5").get("deadline_miss_rate").asDouble()).isGreaterThan(0.5);
        assertThat(fifo.get("by_priority").get("1").get("deadline_miss_rate").asDouble()).isZero();
    }

    @Test
    void simulate_shippedTraceWindow_runsByName() {
        Run result = run("simulate", "--trace", "azure-code-2023.csv", "--window", "0:60", "--policy", "fifo",
                "--format", "csv");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().skip(1).findFirst().orElseThrow()).startsWith("fifo,all,");
    }

    @Test
    void simulate_sameTraceAndSeed_byteIdenticalJson(@TempDir Path dir) throws Exception {
        String[] args = {"simulate", "--trace", smallTrace(dir).toString(), "--policy", "fifo,mlfq", "--load", "1.1",
                "--priorities", "mix:1=0.2,3=0.3,5=0.5", "--tenants", "3", "--seed", "9", "--instances", "1",
                "--max-batch", "4", "--format", "json"};

        Run first = run(args);
        Run second = run(args);
        Run oneThread = run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--threads", "1")).toArray(String[]::new));
        Run otherSeed = run(replace(args, "9", "10"));

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isNotBlank().isEqualTo(second.out()).isEqualTo(oneThread.out());
        assertThat(otherSeed.out()).isNotEqualTo(first.out());
    }

    @Test
    void simulate_out_writesReportsAndDecodableCharts(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Run result = run("simulate", "--trace", smallTrace(dir).toString(), "--policy", "fifo,priority",
                "--priorities", "prompt", "--instances", "1", "--max-batch", "4", "--load", "1.0", "--format", "json",
                "--out", out.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Files.readString(out.resolve("report.json"))).isEqualTo(result.out());
        assertThat(Files.readString(out.resolve("report.csv"))).startsWith("policy,class,tasks,");
        for (String png : new String[] {"latency-cdf.png", "latency-by-priority.png", "ttft-by-priority.png"}) {
            Path file = out.resolve(png);
            assertThat(Files.size(file)).as(png).isGreaterThan(10_000);
            BufferedImage image = ImageIO.read(file.toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).isGreaterThanOrEqualTo(800);
            assertThat(image.getHeight()).isGreaterThanOrEqualTo(500);
        }
        assertThat(result.err()).contains("wrote ").contains("latency-cdf.png");
    }

    @Test
    void simulate_allPoliciesWithOracle_ratiosAgainstTheOracle(@TempDir Path dir) throws Exception {
        Run result = run("simulate", "--trace", smallTrace(dir).toString(), "--policy", "all", "--load", "1.0",
                "--instances", "1", "--max-batch", "4", "--format", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(result.out());
        assertThat(report).hasSize(PolicyRegistry.names().size());
        for (JsonNode policy : report) {
            double ratio = policy.get("oracle_ratio").asDouble();
            if (policy.get("policy").asText().equals("srpt-oracle")) {
                assertThat(ratio).isEqualTo(1.0);
            } else {
                assertThat(ratio).isGreaterThan(0);
            }
        }
    }

    @Test
    void simulate_policyTwice_exitCode2() {
        Run result = run("simulate", "--tasks", "10", "--policy", "fifo,mlfq,fifo");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--policy names a policy twice");
    }

    @Test
    void simulate_traceAndTasks_exitCode2() {
        Run result = run("simulate", "--trace", "azure-conv-2023.csv", "--tasks", "10");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--tasks applies to the synthetic workload");
    }

    @Test
    void simulate_loadAndTimeScale_exitCode2() {
        Run result = run("simulate", "--trace", "azure-conv-2023.csv", "--load", "0.9", "--time-scale", "0.1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("give --load or --time-scale, not both");
    }

    @Test
    void simulate_traceOptionsWithoutTrace_exitCode2NamingThem() {
        Run result = run("simulate", "--tasks", "10", "--window", "0:5", "--tenants", "2");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--window, --tenants apply to a trace replay only");
    }

    @Test
    void simulate_emptyWindow_exitCode2WithTheTraceSpan() {
        Run result = run("simulate", "--trace", "azure-code-2023.csv", "--window", "9000:9100");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--window 9000:9100 holds no request of azure-code-2023.csv");
    }

    @Test
    void simulate_malformedTrace_exitCode2WithFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "arrival_ms,prompt_tokens,output_tokens\n0,1,1\n1,2\n");

        Run result = run("simulate", "--trace", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("error: bad.csv:3: output_tokens is missing");
    }

    @Test
    void parseWindow_openEnds_zeroAndInfinity() {
        assertThat(SimulateCommand.parseWindow("5:")).containsExactly(5, Double.POSITIVE_INFINITY);
        assertThat(SimulateCommand.parseWindow(":5")).containsExactly(0, 5);
        assertThat(SimulateCommand.parseWindow(null)).containsExactly(0, Double.POSITIVE_INFINITY);
    }

    private static String[] replace(String[] args, String from, String to) {
        String[] copy = args.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i].equals(from)) {
                copy[i] = to;
            }
        }
        return copy;
    }
}
