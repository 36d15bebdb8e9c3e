package io.queuedeck.engine.task;

import java.util.Collection;
import java.util.Locale;

/**
 * The one rule for the API's enum values (decision 0141): a value is read exactly as the docs write
 * it, in lower case, and a refusal names the field, the accepted values and, for a value that differs
 * only in case or in '-' for '_', the spelling meant. A near miss is refused, not read, so that one
 * spelling is audited and searched for, and a contract the docs do not list does not grow by accident.
 */
public final class WireNames {
    private WireNames() {
    }

    /** The accepted name {@code given} differs from only in case or '-' for '_', or null. */
    public static String meant(String given, Collection<String> accepted) {
        if (given == null) {
            return null;
        }
        String near = given.strip().replace('-', '_').toLowerCase(Locale.ROOT);
        return accepted.stream().filter(name -> name.replace('-', '_').equals(near)).findFirst().orElse(null);
    }

    /** {@code " (written in lower case: 'queued')"} for a near miss of {@code accepted}, else empty. */
    public static String hint(String given, Collection<String> accepted) {
        String meant = meant(given, accepted);
        if (meant == null) {
            return "";
        }
        boolean dashes = !given.strip().toLowerCase(Locale.ROOT).equals(meant);
        return " (written in lower case" + (dashes ? " with '_'" : "") + ": '" + meant + "')";
    }

    /** {@code "state must be one of [queued, running], got 'QUEUED' (written in lower case: 'queued')"}. */
    public static String refusal(String field, String given, Collection<String> accepted) {
        return field + " must be one of " + accepted + ", got '" + shorten(given) + "'" + hint(given, accepted);
    }

    /** What a refusal quotes of a client's text: its first 100 characters, a surrogate pair never split. */
    public static String shorten(String text) {
        if (text == null) {
            return "";
        }
        if (text.length() <= 100) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(99)) ? 99 : 100;
        return text.substring(0, end) + "…";
    }
}
