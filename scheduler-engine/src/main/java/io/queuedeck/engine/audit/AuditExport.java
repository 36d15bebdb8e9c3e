package io.queuedeck.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.queuedeck.engine.csv.SpreadsheetText;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The audit trail as CSV (RFC 4180, CRLF line ends), for spreadsheets and archives. Written by
 * Jackson, every text field quoted: a spreadsheet that splits on semicolons (its locale's
 * separator) then still reads one cell per field.
 */
public final class AuditExport {
    /** The header line's fields, in order. */
    public static final String HEADER = "number,at,actor,source,action,target,tasks,detail";
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS).build();
    private static final CsvSchema SCHEMA = CsvSchema.builder().addNumberColumn("number").addColumn("at")
            .addColumn("actor").addColumn("source").addColumn("action").addColumn("target").addNumberColumn("tasks")
            .addColumn("detail").setLineSeparator("\r\n").build(); // the header written as is: quoted, it reads oddly

    private record Row(long number, String at, String actor, String source, String action, String target, int tasks,
                       String detail) {}

    private AuditExport() {}

    public static String csv(List<AuditEntry> entries) {
        try {
            return HEADER + "\r\n" + CSV.writer(SCHEMA).writeValueAsString(entries.stream().map(e -> new Row(e.number(),
                    e.at().toString(), SpreadsheetText.of(e.actor()), SpreadsheetText.of(e.source()),
                    SpreadsheetText.of(e.action()), SpreadsheetText.of(e.target()), e.tasks(),
                    SpreadsheetText.of(e.detail()))).toList());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
