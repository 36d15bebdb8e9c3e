package io.queuedeck.console.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tiers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export from the Search screen's model against a real engine on a virtual clock: every match across
 * several engine pages (not only the page shown), in the chosen order, exact values, RFC 4180 quoting,
 * formula neutralising, and the 10,000 cap said in the message.
 */
class SearchExportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    @TempDir
    Path dir;
    private Engine engine;

    private SearchViewModel model(int tasks) {
        engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // nothing runs: every task stays queued
        for (int i = 0; i < tasks; i++) {
            // a tenant with a leading '-' is valid and is a formula to a spreadsheet
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", i % 10, null, i % 6 == 0 ? "zeta" : "-acme",
                    i % 2 == 0 ? "batch" : null, null, 8, null, null))).join();
        }
        EngineGateway gateway = new EngineGateway(engine, Runnable::run, failure -> { });
        return new SearchViewModel(gateway, gateway, new SearchExport(gateway, Runnable::run, Runnable::run, engine.clock()::toInstant));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static List<Map<String, String>> readCsv(Path file) throws Exception {
        CsvMapper csv = new CsvMapper();
        try (MappingIterator<Map<String, String>> rows = csv.readerForMapOf(String.class)
                .with(csv.schemaWithHeader()).readValues(file.toFile())) {
            return rows.readAll();
        }
    }

    @Test
    void exportCsv_writesEveryMatchAcrossPages_inTheCurrentOrder_withExactValues() throws Exception {
        SearchViewModel model = model(3_000);
        model.tenantProperty().set("-acme");
        model.search();
        model.sortBy(TaskSort.PRIORITY);
        model.sortBy(TaskSort.PRIORITY); // again: least urgent first
        assertThat(model.results()).as("the screen shows one page").hasSize(SearchViewModel.PAGE);
        Path file = dir.resolve("tasks.csv");

        model.export(file);

        await().atMost(TIMEOUT).until(() -> model.messageProperty().get().contains("written"));
        assertThat(model.messageProperty().get()).isEqualTo("2,500 tasks written to " + file);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).startsWith("id,state,priority,tier,tenant,model,business_class,submitted_at,waited_ms,instance,attempts\r\n");
        List<Map<String, String>> rows = readCsv(file);
        assertThat(rows).hasSize(2_500); // 3 engine pages of at most 1,000
        assertThat(rows).extracting(r -> r.get("tenant")).containsOnly("'-acme");
        // the order reversed as a whole (priority, then submission): P9's last -acme task first, P0's first one last
        assertThat(rows.getFirst()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(Map.entry("id", "t2999"),
                Map.entry("state", "queued"), Map.entry("priority", "9"), Map.entry("tier", "batch"),
                Map.entry("tenant", "'-acme"), Map.entry("model", "llama-2-7b"), Map.entry("business_class", ""),
                Map.entry("submitted_at", "2026-01-01T00:00:00Z"), Map.entry("waited_ms", "0"), Map.entry("instance", ""),
                Map.entry("attempts", "0")));
        assertThat(rows.getLast()).containsEntry("id", "t10").containsEntry("priority", "0").containsEntry("tier", "core").containsEntry("business_class", "batch");
        assertThat(rows).extracting(r -> Integer.parseInt(r.get("priority"))).isSortedAccordingTo((a, b) -> b - a);
        assertThat(rows).extracting(r -> r.get("id")).doesNotHaveDuplicates()
                .allMatch(id -> Integer.parseInt(id.substring(1)) % 6 != 0, "only the filter's tasks");
    }

    @Test
    void exportJson_writesAnArrayOfTheSameFields() throws Exception {
        SearchViewModel model = model(30);
        model.stateProperty().set(TaskState.QUEUED);
        model.maxPriorityProperty().set(2);
        model.search();
        Path file = dir.resolve("tasks.json");

        model.export(file);

        await().atMost(TIMEOUT).until(() -> model.messageProperty().get().contains("written"));
        List<Map<String, Object>> rows = new ObjectMapper().readValue(file.toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<>() { });
        assertThat(rows).extracting(r -> r.get("id")).containsExactly("t0", "t1", "t2", "t10", "t11", "t12", "t20", "t21", "t22");
        Map<String, Object> t1 = rows.get(1);
        assertThat(t1).containsOnlyKeys("id", "state", "priority", "tier", "tenant", "model", "business_class", "submitted_at",
                "waited_ms", "instance", "attempts");
        assertThat(t1).containsEntry("tenant", "-acme").containsEntry("priority", 1).containsEntry("tier", "core")
                .containsEntry("instance", null).containsEntry("waited_ms", 0).containsEntry("business_class", null);
    }

    @Test
    void export_overTheCap_writes10000_andSaysTheCapCutIt() throws Exception {
        SearchViewModel model = model(10_050);
        model.search();
        Path file = dir.resolve("all.csv");

        model.export(file);

        await().atMost(TIMEOUT).until(() -> model.messageProperty().get().contains("written"));
        assertThat(model.messageProperty().get()).isEqualTo("10,000 tasks written to " + file
                + " (the first 10,000 of 10,050 matches: an export stops at 10,000; narrow the filter for the rest)");
        assertThat(readCsv(file)).hasSize(10_000).first().extracting(r -> r.get("id")).isEqualTo("t0");
    }

    @Test
    void export_toAFileThatCannotBeWritten_saysWhy() {
        SearchViewModel model = model(3);
        model.search();
        Path file = dir.resolve("missing-dir").resolve("tasks.csv");

        model.export(file);

        await().atMost(TIMEOUT).until(() -> model.messageProperty().get().startsWith("Could not write"));
        assertThat(model.messageProperty().get()).contains(file.toString());
    }

    /** The engine refuses a tenant with a comma or '=' (decision 0075's names), so this goes through the writer directly. */
    @Test
    void csv_quotesCommasAndQuotes_andNeutralisesFormulas() throws Exception {
        TaskSpec spec = new TaskSpec("=1+1", "m \"x\"", "hi", 3, null, "=acme, inc", "@sum", null, 8, null, null);
        TaskView view = new TaskView("=1+1", spec, TaskState.RUNNING, 3, 0, 2, 7, 1_500_000_000L, -1, -1, -1, 2_345_678_901L,
                0, 0, 1, 0, null, null, List.of());
        VirtualClock clock = new VirtualClock();

        String csv = TaskExport.csv(List.of(TaskExport.row(view, Tiers.DEFAULT, clock::toInstant)));

        assertThat(csv).isEqualTo("id,state,priority,tier,tenant,model,business_class,submitted_at,waited_ms,instance,attempts\r\n"
                + "\"'=1+1\",\"running\",3,\"normal\",\"'=acme, inc\",\"m \"\"x\"\"\",\"'@sum\",\"2026-01-01T00:00:01.500Z\",2345,2,1\r\n");
        Path file = dir.resolve("q.csv");
        Files.writeString(file, csv);
        assertThat(readCsv(file).getFirst()).containsEntry("tenant", "'=acme, inc").containsEntry("model", "m \"x\"");
        assertThat(clock.toInstant(1_500_000_000L)).isEqualTo(Instant.parse("2026-01-01T00:00:01.500Z"));
    }
}
