package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.report.DrillReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's per-second wait columns follow the drill's tier table: one per tier, named as the
 * table names it, in its order; the default table keeps core, normal, batch.
 */
class DrillTierSamplesTest {
    private static final String FOUR = """
            name: four
            description: a four-tier table under load
            hypothesis: every tier is measured on its own
            target:
              gpus: 1
              load: 1.3
              seed: 7
              tiers:
                urgent: {priorities: 0}
                core: {priorities: 1-2}
                normal: {priorities: 3-6}
                batch: {priorities: 7-9}
            steady_state: 20s
            recovery_window: 5s
            observe: 10s
            probes:
              - {name: urgent waits little, metric: queue_wait_p99_ms, tier: urgent, max: 1000000}
            steps:
              - wait: 5s
            """;

    @Test
    void fourTierDrill_samplesAWaitPerTier_andTheCsvNamesThem(@TempDir Path dir) throws Exception {
        DrillResult result = new DrillRunner(DrillReader.read("four.yaml", FOUR)).run();

        assertThat(result.samples()).isNotEmpty().allSatisfy(s -> assertThat(s.waitP99Ms()).hasSize(4));
        // overloaded under strict priority: each tier is measured on its own, so normal (P3-6) waits longer than core (P1-2)
        assertThat(result.samples()).anySatisfy(s -> assertThat(s.waitP99Ms().get(2)).isGreaterThan(s.waitP99Ms().get(1)));
        assertThat(result.samples()).anySatisfy(s -> assertThat(s.waitP99Ms().get(1)).isPositive());

        DrillReport.write(dir, result);
        List<Map<String, String>> rows = read(dir.resolve(DrillReport.SAMPLES));
        assertThat(rows.getFirst().keySet()).containsExactly("second", "queued", "running", "instances_serving",
                "wait_p99_urgent_ms", "wait_p99_core_ms", "wait_p99_normal_ms", "wait_p99_batch_ms");
        assertThat(rows).hasSize(result.samples().size());
        for (int i = 0; i < rows.size(); i++) {
            DrillResult.Sample s = result.samples().get(i);
            assertThat(Double.parseDouble(rows.get(i).get("wait_p99_urgent_ms"))).isEqualTo(s.waitP99Ms().get(0));
            assertThat(Double.parseDouble(rows.get(i).get("wait_p99_batch_ms"))).isEqualTo(s.waitP99Ms().get(3));
            assertThat(Integer.parseInt(rows.get(i).get("queued"))).isEqualTo(s.queued());
        }
    }

    @Test
    void defaultTable_keepsTheCoreNormalBatchColumns(@TempDir Path dir) throws Exception {
        String text = FOUR.replaceAll("(?s)  tiers:.*?batch: \\{priorities: 7-9}\\n", "")
                .replace("tier: urgent", "tier: core");
        DrillResult result = new DrillRunner(DrillReader.read("three.yaml", text)).run();

        assertThat(result.samples()).allSatisfy(s -> assertThat(s.waitP99Ms()).hasSize(3));
        DrillReport.write(dir, result);
        assertThat(Files.readAllLines(dir.resolve(DrillReport.SAMPLES)).getFirst())
                .isEqualTo("second,queued,running,instances_serving,wait_p99_core_ms,wait_p99_normal_ms,wait_p99_batch_ms");
    }

    private static List<Map<String, String>> read(Path csv) throws Exception {
        try (MappingIterator<Map<String, String>> it = new CsvMapper().readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(csv.toFile())) {
            return it.readAll();
        }
    }
}
