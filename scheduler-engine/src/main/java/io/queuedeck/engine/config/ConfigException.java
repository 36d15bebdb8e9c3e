package io.queuedeck.engine.config;

import io.queuedeck.engine.task.VisibleText;
import java.util.List;

/**
 * A config file that cannot be used, with every problem found in it, each on its own line naming
 * the file, the exact key path and the line: {@code queuedeck.yaml: clients[1].max_priority must
 * be between 0 and 9, got 12 (line 12)}.
 */
public final class ConfigException extends IllegalArgumentException {
    private final List<String> problems;

    ConfigException(String problem) {
        this(List.of(problem));
    }

    ConfigException(List<String> problems) {
        super(String.join("\n", printable(problems)));
        this.problems = printable(problems);
    }

    private static List<String> printable(List<String> problems) {
        return problems.stream().map(ConfigException::printable).toList();
    }

    /**
     * {@code problem} with every character that would act on a terminal rather than show (an escape
     * sequence in a key's name, U+202E) written as {@code \\u001B}: problems quote the file, and are
     * printed to terminals and logs.
     */
    static String printable(String problem) {
        return VisibleText.of(problem);
    }

    /** A control character, or one that reorders or breaks a line where it is printed (U+202E, U+2028). */
    static boolean unprintable(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** Each problem, in the order of their lines in the file. */
    public List<String> problems() {
        return problems;
    }
}
