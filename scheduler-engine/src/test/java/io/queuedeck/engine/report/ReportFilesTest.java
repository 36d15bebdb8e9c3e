package io.queuedeck.engine.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.sim.PolicyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {

    private static PolicyResult result(String policy, Map<String, PolicyResult.Figures> byPriority, List<Double> cdf) {
        PolicyResult.Figures none = new PolicyResult.Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return new PolicyResult(policy, none, 3, 0, 0, 0, 0, 0, 0, null, PolicyResult.Lab.NONE, byPriority, Map.of(), cdf, 0, 0);
    }

    @Test
    void write_runWithoutCompletedTasks_stillWritesEveryFile(@TempDir Path dir) throws Exception {
        // Every arrival refused: no latencies, no classes. The charts are empty, not an error.
        List<Path> written = ReportFiles.write(dir.resolve("nested/out"), List.of(result("fifo", Map.of(), List.of())),
                "nothing ran");

        assertThat(written).extracting(p -> p.getFileName().toString())
                .containsExactly("report.json", "report.csv", "latency-cdf.png", "latency-by-priority.png",
                        "ttft-by-priority.png");
        for (Path file : written) {
            assertThat(Files.size(file)).isPositive();
        }
        assertThat(ImageIO.read(written.get(2).toFile())).isNotNull();
    }

    @Test
    void write_classMissingUnderOnePolicy_barLeftOutForThatPolicy(@TempDir Path dir) throws Exception {
        PolicyResult.Figures some = new PolicyResult.Figures(5, 100, 90, 150, 200, 210, 10, 9, 20, 8, 5, 15, 18, 0, 1, 0, 0);
        List<PolicyResult> results = List.of(
                result("fifo", Map.of("1", some, "5", some), List.of(50.0, 100.0, 210.0)),
                result("srpt-oracle", Map.of("5", some), List.of(40.0, 80.0, 200.0)));

        List<Path> written = ReportFiles.write(dir, results, "two policies");

        assertThat(ImageIO.read(written.get(3).toFile()).getWidth()).isEqualTo(ComparisonCharts.WIDTH);
    }
}
