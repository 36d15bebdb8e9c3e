package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

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

    @Test
    void simulate_badFormat_exitCode2() {
        Run result = run("simulate", "--tasks", "10", "--format", "xml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--format must be table, json or csv");
    }
}
