package io.queuedeck.console.drills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Past drill runs, kept in the data directory: one report directory per run and one line per run
 * in {@code runs.tsv} (time, drill, verdict, score, report directory), so they outlive the window.
 */
final class DrillHistory {
    static final String FILE = "runs.tsv";
    private static final DateTimeFormatter DIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Path dir;

    DrillHistory(Path dir) {
        this.dir = dir;
    }

    /** The runs recorded so far, oldest first; a damaged line is skipped rather than losing the rest. */
    List<PastRun> load() {
        Path file = dir.resolve(FILE);
        List<PastRun> runs = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return runs;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length == 5) {
                    try {
                        PastRun.Outcome outcome = PastRun.Outcome.ofKey(f[2]);
                        if (outcome != null) {
                            runs.add(new PastRun(Instant.parse(f[0]), f[1], outcome, Double.parseDouble(f[3]), Path.of(f[4])));
                        }
                    } catch (RuntimeException ignored) {
                        // a line cut short by a crash: the others still count
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return runs;
    }

    /** A fresh directory for the report of a run of {@code drill} starting {@code at}. */
    Path newReportDir(String drill, Instant at) throws IOException {
        Path report = dir.resolve(DIR_TIME.format(at) + "-" + drill.replaceAll("[^A-Za-z0-9._-]", "_"));
        for (int n = 2; Files.exists(report); n++) {
            report = dir.resolve(DIR_TIME.format(at) + "-" + drill.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + n);
        }
        return Files.createDirectories(report);
    }

    void append(PastRun run) throws IOException {
        Files.createDirectories(dir);
        String line = String.join("\t", run.at().toString(), run.drill().replace('\t', ' '),
                run.outcome().key, Double.toString(run.score()), run.report().toString()) + "\n";
        Files.writeString(dir.resolve(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
