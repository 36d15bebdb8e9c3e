package io.queuedeck.console.search;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.SearchPage;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSearch;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tiers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Exports every task a search matches (up to {@link TaskSearch#MAX_DEPTH}), in its order, to a CSV or
 * JSON file. Pages are read through {@link Command.SearchTasks}, one after the other as each answers
 * (neither the FX thread nor the loop waits); the file is converted and written on the files executor.
 */
public final class SearchExport {
    private final EngineCommands commands;
    private final Executor files;
    private final Executor fx;
    private final LongFunction<Instant> wall;

    /**
     * @param files writes the file (the FX thread never waits for a disk)
     * @param fx    the FX thread, told when the file is written
     * @param wall  the engine clock's nanoseconds as a wall-clock instant (for "submitted at")
     */
    public SearchExport(EngineCommands commands, Executor files, Executor fx, LongFunction<Instant> wall) {
        this.commands = commands;
        this.files = files;
        this.fx = fx;
        this.wall = wall;
    }

    /** Starts the export; {@code report} hears progress and the outcome, on the FX thread. */
    void export(TaskFilter filter, TaskSort sort, boolean descending, Tiers tiers, Path file, Consumer<String> report) {
        report.accept("Reading the matching tasks for " + file.getFileName() + " …");
        read(filter, sort, descending, 0, new LinkedHashMap<>(), file, tiers, report);
    }

    private void read(TaskFilter filter, TaskSort sort, boolean descending, int offset, Map<String, TaskView> seen,
                      Path file, Tiers tiers, Consumer<String> report) {
        int limit = Math.min(TaskQuery.MAX_LIMIT, TaskSearch.MAX_DEPTH - offset);
        commands.send(new Command.SearchTasks(new TaskSearch(filter, sort, descending, offset, limit)))
                .whenComplete((page, failure) -> {
                    if (failure != null) {
                        report.accept("Export failed: the search was refused (" + failure.getMessage() + ")");
                        return;
                    }
                    // tasks move between pages while we read (a reprioritize, a finish): an id is written once
                    page.tasks().forEach(v -> seen.putIfAbsent(v.id(), v));
                    int next = page.offset() + page.tasks().size();
                    if (page.hasMore() && next < TaskSearch.MAX_DEPTH && !page.tasks().isEmpty()) {
                        read(filter, sort, descending, next, seen, file, tiers, report);
                    } else {
                        write(List.copyOf(seen.values()), page, file, tiers, report);
                    }
                });
    }

    private void write(List<TaskView> tasks, SearchPage last, Path file, Tiers tiers, Consumer<String> report) {
        String cut = last.total() > tasks.size() && last.total() > TaskSearch.MAX_DEPTH
                ? String.format(Locale.ROOT, " (the first %,d of %,d matches: an export stops at %,d; narrow the filter for the rest)",
                tasks.size(), last.total(), TaskSearch.MAX_DEPTH) : "";
        report.accept(String.format(Locale.ROOT, "Writing %,d tasks to %s …", tasks.size(), file));
        files.execute(() -> {
            String done;
            try {
                List<TaskExport.Row> rows = tasks.stream().map(v -> TaskExport.row(v, tiers, wall)).toList();
                if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                    Files.write(file, TaskExport.json(rows));
                } else {
                    Files.writeString(file, TaskExport.csv(rows), StandardCharsets.UTF_8);
                }
                done = String.format(Locale.ROOT, "%s written to %s%s", SearchViewModel.tasks(rows.size()), file, cut);
            } catch (IOException | RuntimeException e) {
                done = "Could not write " + file + ": " + e.getMessage();
            }
            String shown = done;
            fx.execute(() -> report.accept(shown));
        });
    }
}
