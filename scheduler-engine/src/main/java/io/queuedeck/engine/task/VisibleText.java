package io.queuedeck.engine.task;

/**
 * Text quoted back to whoever sent it, in an error or a log line, with every character that would
 * not show written as its code: {@code \u0007}, {@code \u202E}, {@code \u2028}. A bell, an
 * escape sequence, a right-to-left override or a zero-width space in a rejected value or a key's
 * name would otherwise reach the reader's terminal or screen as an action, or as nothing, and make
 * the message lie about what was sent.
 */
public final class VisibleText {
    private VisibleText() {}

    /**
     * {@code text} with each control, formatting, line or paragraph separator, lone surrogate and
     * unassigned character as a backslash, {@code u} and four hex digits (a character beyond
     * U+FFFF as its two UTF-16 halves, as JSON writes it); {@code null} stays {@code null}. Text
     * with none of them is returned as it is, so applying this twice changes nothing more.
     */
    public static String of(String text) {
        if (text == null || text.codePoints().noneMatch(VisibleText::invisible)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (!invisible(c)) {
                out.appendCodePoint(c);
            } else {
                for (char unit : Character.toChars(c)) {
                    out.append(String.format("\\u%04X", (int) unit));
                }
            }
        });
        return out.toString();
    }

    /** Whether {@code c} would not show as itself where text is printed. */
    public static boolean invisible(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }
}
