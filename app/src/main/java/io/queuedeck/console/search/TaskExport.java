package io.queuedeck.console.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tiers;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Tasks as CSV (RFC 4180: a header, quoted where needed, CRLF line ends) or as a JSON array, with the
 * same fields in both. Written by Jackson; a text field that a spreadsheet would read as a formula
 * (leading = + - @, tab or carriage return) is prefixed with ' as the audit export does, and every
 * text is quoted, so a spreadsheet splitting on semicolons reads one cell per field.
 */
final class TaskExport {
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(com.fasterxml.jackson.dataformat.csv.CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS).build();
    private static final CsvSchema SCHEMA = CsvSchema.builder()
            .addColumn("id").addColumn("state").addNumberColumn("priority").addColumn("tier").addColumn("tenant")
            .addColumn("model").addColumn("business_class").addColumn("submitted_at").addNumberColumn("waited_ms")
            .addNumberColumn("instance").addNumberColumn("attempts")
            .setLineSeparator("\r\n").build();
    /** Written as is: quoted like the texts below it, the header reads oddly. */
    private static final String HEADER = "id,state,priority,tier,tenant,model,business_class,submitted_at,waited_ms,instance,attempts\r\n";
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * One exported task.
     *
     * @param submittedAt when the engine accepted it, ISO-8601 in UTC
     * @param waitedMs    whole milliseconds spent waiting in a queue so far (not running)
     * @param instance    the GPU instance it last ran on; null if it never ran
     */
    record Row(String id, String state, int priority, String tier, String tenant, String model,
               @JsonProperty("business_class") String businessClass, @JsonProperty("submitted_at") String submittedAt,
               @JsonProperty("waited_ms") long waitedMs, Integer instance, int attempts) {}

    private TaskExport() {}

    /** {@code wall} turns the engine clock's nanoseconds into a wall-clock instant. */
    static Row row(TaskView v, Tiers tiers, LongFunction<Instant> wall) {
        return new Row(v.id(), v.state().name().toLowerCase(Locale.ROOT), v.priority(), tiers.of(v.priority()).name(),
                v.spec().tenant(), v.spec().model(), v.spec().businessClass(), wall.apply(v.arrivedAt()).toString(),
                v.waitedNanos() / 1_000_000, v.instance() < 0 ? null : v.instance(), v.attempts());
    }

    static String csv(List<Row> rows) {
        try {
            return HEADER + CSV.writer(SCHEMA).writeValueAsString(rows.stream().map(TaskExport::neutralised).toList());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] json(List<Row> rows) {
        try {
            return JSON.writeValueAsBytes(rows);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Only the CSV is opened by spreadsheets; the JSON keeps the values as they are. */
    private static Row neutralised(Row r) {
        return new Row(text(r.id()), r.state(), r.priority(), r.tier(), text(r.tenant()), text(r.model()),
                text(r.businessClass()), r.submittedAt(), r.waitedMs(), r.instance(), r.attempts());
    }

    private static String text(String field) {
        return io.queuedeck.engine.csv.SpreadsheetText.of(field);
    }
}
