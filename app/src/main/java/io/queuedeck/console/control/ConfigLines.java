package io.queuedeck.console.control;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lines of the config editor's text: where the caret is, and the line a refusal names. */
final class ConfigLines {
    /** How a problem names its line: "(line 45)", "at line 136, column 19". */
    private static final Pattern LINE = Pattern.compile("\\bline (\\d+)");

    private ConfigLines() {}

    /** "Line 3, column 7" for a caret at {@code at} in {@code text}. */
    static String describe(String text, int at) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(Math.max(at, 0), text == null ? 0 : text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return "Line " + line + ", column " + (end - lineStart + 1);
    }

    /**
     * The start and end (without its line break) of the line {@code problem} names in {@code text},
     * or null when it names none or one past the end.
     */
    static int[] rangeOfLineIn(String text, String problem) {
        Matcher m = LINE.matcher(problem);
        if (text == null || !m.find()) {
            return null;
        }
        long wanted;
        try {
            wanted = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        int start = 0;
        for (long line = 1; line < wanted; line++) {
            int next = text.indexOf('\n', start);
            if (next < 0) {
                return null;
            }
            start = next + 1;
        }
        if (wanted < 1 || start > text.length()) {
            return null;
        }
        int end = text.indexOf('\n', start);
        return new int[] {start, end < 0 ? text.length() : end};
    }
}
