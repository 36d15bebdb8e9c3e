package io.queuedeck.engine.audit;

import java.util.List;

/** The audit trail as CSV (RFC 4180: quoted where needed, CRLF line ends), for spreadsheets and archives. */
public final class AuditExport {
    /** The header line's fields, in order. */
    public static final String HEADER = "number,at,actor,source,action,target,tasks,detail";

    private AuditExport() {}

    public static String csv(List<AuditEntry> entries) {
        StringBuilder out = new StringBuilder(HEADER).append("\r\n");
        for (AuditEntry e : entries) {
            out.append(e.number()).append(',').append(e.at()).append(',').append(quote(e.actor())).append(',')
                    .append(quote(e.source())).append(',').append(quote(e.action())).append(',')
                    .append(quote(e.target())).append(',').append(e.tasks()).append(',').append(quote(e.detail()))
                    .append("\r\n");
        }
        return out.toString();
    }

    private static String quote(String field) {
        if (field == null) {
            return "";
        }
        // a leading = + - @ would be a formula to a spreadsheet: prefixed so it stays text
        String safe = !field.isEmpty() && "=+-@".indexOf(field.charAt(0)) >= 0 ? "'" + field : field;
        boolean needsQuotes = safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0
                || safe.indexOf('\r') >= 0 || !safe.equals(field);
        return needsQuotes ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
    }
}
