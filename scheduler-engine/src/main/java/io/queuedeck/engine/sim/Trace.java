package io.queuedeck.engine.sim;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A recorded workload. Two formats, told apart by the header:
 * <ul>
 *   <li>QueueDeck's: {@code arrival_ms,prompt_tokens,output_tokens} and optionally
 *       {@code priority,tenant,business_class,deadline_ms,model};</li>
 *   <li>the Azure LLM inference trace's: {@code TIMESTAMP,ContextTokens,GeneratedTokens}.</li>
 * </ul>
 * Rows are sorted by arrival, and arrivals are shifted so the first request arrives at 0.
 *
 * @param name file name, for reports
 * @param rows the requests, in arrival order
 */
public record Trace(String name, List<TraceRow> rows) {
    /** Where shipped traces live on the classpath. */
    static final String SHIPPED = "/queuedeck/traces/";
    private static final List<String> OWN_REQUIRED = List.of("arrival_ms", "prompt_tokens", "output_tokens");
    private static final List<String> OWN_OPTIONAL = List.of("priority", "tenant", "business_class", "deadline_ms", "model");
    private static final List<String> AZURE = List.of("TIMESTAMP", "ContextTokens", "GeneratedTokens");
    private static final DateTimeFormatter AZURE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    /** Bigger than any context window; keeps sums of tokens far from overflow. */
    static final int MAX_TOKENS = 1_000_000;
    /** Latest arrival or deadline, about 31 years: in nanoseconds it still fits a long. */
    static final long MAX_MS = 1_000_000_000_000L;

    public Trace {
        rows = List.copyOf(rows);
    }

    /**
     * Reads a trace from a file, or, when no such file exists, a shipped trace of that name
     * (for example {@code azure-conv-2023.csv}).
     */
    public static Trace load(String fileOrShippedName) {
        Path path = Path.of(fileOrShippedName);
        if (Files.exists(path) && !Files.isRegularFile(path)) { // it said "no trace file" of a directory, a FIFO or a device
            throw new TraceFormatException(fileOrShippedName + ": cannot read: " + (Files.isDirectory(path)
                    ? "it is a directory, not a file" : "it is not a regular file (a FIFO, a socket or a device)"));
        }
        if (Files.isRegularFile(path)) {
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                return read(path.getFileName().toString(), reader);
            } catch (IOException e) {
                throw new TraceFormatException(fileOrShippedName + ": cannot read: " + e.getMessage(), e);
            }
        }
        InputStream shipped = Trace.class.getResourceAsStream(SHIPPED + fileOrShippedName);
        if (shipped == null) {
            throw new TraceFormatException("no trace file '" + fileOrShippedName
                    + "' (shipped traces: azure-conv-2023.csv, azure-code-2023.csv)");
        }
        try (Reader reader = new InputStreamReader(shipped, StandardCharsets.UTF_8)) {
            return read(fileOrShippedName, reader);
        } catch (IOException e) {
            throw new TraceFormatException(fileOrShippedName + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a trace in either format.
     *
     * @throws TraceFormatException naming the file and the line of the first bad row (the line
     *                              where a row starts, counting the header as line 1 and blank
     *                              lines too), or the problem with an empty file or its header
     */
    public static Trace read(String name, Reader source) {
        Reader reader = withoutByteOrderMark(name, source);
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.TRIM_SPACES).enable(CsvParser.Feature.SKIP_EMPTY_LINES);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<TraceRow> rows = new ArrayList<>();
        int line = 1;
        MappingIterator<Map<String, String>> opened;
        try {
            opened = mapper.readerForMapOf(String.class).with(schema).readValues(reader);
        } catch (java.nio.charset.CharacterCodingException e) { // the reader reads ahead: the byte may be lines below
            throw new TraceFormatException(name + ": not UTF-8 text within its first 8 KB; save it as UTF-8", e);
        } catch (IOException e) {
            // Jackson reads the header here (blank lines before it skipped) and finds none: the parser's own words name its classes
            throw new TraceFormatException(name + ":1: the file is empty (blank lines aside); a trace starts with its header:"
                    + " arrival_ms,prompt_tokens,output_tokens or TIMESTAMP,ContextTokens,GeneratedTokens", e);
        }
        try (MappingIterator<Map<String, String>> it = opened) {
            Boolean azure = null;
            LocalDateTime firstAzure = null;
            while (true) {
                Map<String, String> row;
                try {
                    if (!it.hasNextValue()) {
                        break;
                    }
                    // hasNextValue() has read up to the start of the row, so this is the row's
                    // first line (blank lines skipped before it are counted); the previous
                    // row's last line would be one too few whenever blank lines come between.
                    line = it.getCurrentLocation().getLineNr();
                    row = it.nextValue();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new TraceFormatException(name + ":" + line + ": not UTF-8 text at or after this line; save it as UTF-8", e);
                } catch (IOException | RuntimeException e) {
                    // Jackson's CSV errors (too many columns, an unclosed quote) are IOExceptions.
                    throw new TraceFormatException(name + ":" + line + ": malformed row: " + firstLine(e.getMessage()), e);
                }
                if (rows.size() == MAX_ROWS) { // 10 million rows ran minutes at 5 GB without a word
                    throw new TraceFormatException(name + ":" + line + ": a trace holds at most " + MAX_ROWS
                            + " requests; replay a part of it (head -n)");
                }
                if (azure == null) {
                    azure = checkHeader(name, columns(it));
                }
                if (azure) {
                    LocalDateTime time = parseTime(name, line, row.get("TIMESTAMP"));
                    if (firstAzure == null) {
                        firstAzure = time;
                    }
                    long ms = ChronoUnit.MICROS.between(firstAzure, time) / 1_000;
                    rows.add(new TraceRow(line, ms, tokens(name, line, "ContextTokens", row), tokens(name, line, "GeneratedTokens", row),
                            null, null, null, null, null));
                } else {
                    rows.add(ownRow(name, line, row));
                }
            }
            if (rows.isEmpty()) {
                List<String> header = columns(it);
                if (header.isEmpty()) {
                    throw new TraceFormatException(name + ": the file is empty; a trace needs a header and at least one request");
                }
                checkHeader(name, header);
                throw new TraceFormatException(name + ": the trace has a header but no requests");
            }
        } catch (IOException e) {
            throw new TraceFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
        rows.sort(Comparator.comparingLong(TraceRow::arrivalMs));
        long first = rows.getFirst().arrivalMs();
        List<TraceRow> shifted = new ArrayList<>(rows.size());
        for (TraceRow r : rows) {
            shifted.add(new TraceRow(r.line(), r.arrivalMs() - first, r.promptTokens(), r.outputTokens(), r.priority(),
                    r.tenant(), r.businessClass(), r.deadlineMs() == null ? null : r.deadlineMs() - first, r.model()));
        }
        return new Trace(name, shifted);
    }

    /** The most requests a trace may hold: 5,000,000 ran a 1 GB heap out; replay a window of a longer one. */
    public static final int MAX_ROWS = 2_000_000;

    /** {@code reader} past a leading byte order mark, which a spreadsheet writes and the header read as part of its first name. */
    private static Reader withoutByteOrderMark(String name, Reader reader) {
        java.io.BufferedReader buffered = new java.io.BufferedReader(reader);
        try {
            buffered.mark(1);
            if (buffered.read() != '\uFEFF') {
                buffered.reset();
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new TraceFormatException(name + ": not UTF-8 text within its first 8 KB; save it as UTF-8", e);
        } catch (IOException e) {
            throw new TraceFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
        return buffered;
    }

    /** The header's column names, in file order; empty before (or without) a header. */
    private static List<String> columns(MappingIterator<?> it) {
        if (it.getParser() instanceof CsvParser csv && csv.getSchema() != null) {
            List<String> names = new ArrayList<>();
            for (CsvSchema.Column column : csv.getSchema()) {
                names.add(column.getName());
            }
            return names;
        }
        return List.of();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Seconds from the first arrival to the last. */
    public double durationSeconds() {
        return rows.getLast().arrivalMs() / 1e3;
    }

    public double meanPrompt() {
        return rows.stream().mapToInt(TraceRow::promptTokens).average().orElse(0);
    }

    public double meanOutput() {
        return rows.stream().mapToInt(TraceRow::outputTokens).average().orElse(0);
    }

    /** Requests per second over the trace's span. */
    public double ratePerSecond() {
        return durationSeconds() > 0 ? (rows.size() - 1) / durationSeconds() : rows.size();
    }

    /** True for the Azure format, false for QueueDeck's; throws on anything else. */
    private static boolean checkHeader(String name, List<String> header) {
        List<String> twice = header.stream().filter(column -> header.indexOf(column) != header.lastIndexOf(column)).distinct().toList();
        if (!twice.isEmpty()) { // one of the two was read, silently
            throw new TraceFormatException(name + ": the header names " + String.join(", ", twice) + " twice; name each column once");
        }
        if (header.containsAll(AZURE)) {
            return true;
        }
        if (!header.containsAll(OWN_REQUIRED)) {
            throw new TraceFormatException(name + ": header must hold arrival_ms,prompt_tokens,output_tokens"
                    + " (or the Azure trace's TIMESTAMP,ContextTokens,GeneratedTokens), got " + header);
        }
        for (String column : header) {
            if (!OWN_REQUIRED.contains(column) && !OWN_OPTIONAL.contains(column)) {
                throw new TraceFormatException(name + ": unknown column '" + column + "' in the header; optional columns are "
                        + String.join(",", OWN_OPTIONAL));
            }
        }
        return false;
    }

    private static TraceRow ownRow(String name, int line, Map<String, String> row) {
        long arrival = number(name, line, "arrival_ms", row.get("arrival_ms"), 0, MAX_MS);
        int prompt = tokens(name, line, "prompt_tokens", row);
        int output = tokens(name, line, "output_tokens", row);
        Integer priority = blank(row.get("priority")) ? null : (int) number(name, line, "priority", row.get("priority"), 0, 9);
        Long deadline = blank(row.get("deadline_ms")) ? null
                : number(name, line, "deadline_ms", row.get("deadline_ms"), 0, MAX_MS);
        return new TraceRow(line, arrival, prompt, output, priority, emptyToNull(row.get("tenant")),
                emptyToNull(row.get("business_class")), deadline, emptyToNull(row.get("model")));
    }

    private static int tokens(String name, int line, String column, Map<String, String> row) {
        return (int) number(name, line, column, row.get(column), 1, MAX_TOKENS);
    }

    private static long number(String name, int line, String column, String text, long min, long max) {
        if (blank(text)) {
            throw new TraceFormatException(name + ":" + line + ": " + column + " is missing");
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            String problem = text.trim().matches("[-+]?[0-9]+") ? " must be between " + min + " and " + max
                    : " must be a whole number";
            throw new TraceFormatException(name + ":" + line + ": " + column + problem + ", got '" + text.trim() + "'");
        }
        if (value < min || value > max) {
            throw new TraceFormatException(name + ":" + line + ": " + column + " must be between " + min + " and " + max
                    + ", got " + value);
        }
        return value;
    }

    private static LocalDateTime parseTime(String name, int line, String text) {
        if (blank(text)) {
            throw new TraceFormatException(name + ":" + line + ": TIMESTAMP is missing");
        }
        try {
            return LocalDateTime.parse(text.trim(), AZURE_TIME);
        } catch (DateTimeParseException e) {
            throw new TraceFormatException(name + ":" + line + ": TIMESTAMP must look like 2023-11-16 18:17:03.9799600, got '"
                    + text + "'");
        }
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String emptyToNull(String text) {
        return blank(text) ? null : text.trim();
    }
}
