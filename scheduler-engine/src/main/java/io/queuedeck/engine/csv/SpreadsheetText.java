package io.queuedeck.engine.csv;

/**
 * Text fields of CSV exports as a spreadsheet must show them: as text, never as a formula (the
 * audit trail's export, the console's task export).
 */
public final class SpreadsheetText {
    private SpreadsheetText() {}

    /**
     * {@code field} as a spreadsheet shows it as text: one starting with = + - @ (a formula), a tab or
     * a carriage return (which some spreadsheets skip before reading a formula) gets a leading '.
     */
    public static String of(String field) {
        return field != null && !field.isEmpty() && "=+-@\t\r".indexOf(field.charAt(0)) >= 0 ? "'" + field : field;
    }
}
