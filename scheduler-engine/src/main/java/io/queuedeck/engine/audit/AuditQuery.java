package io.queuedeck.engine.audit;

import java.time.Instant;
import java.util.Locale;

/**
 * A filter and a page over the audit trail, newest first. Null fields match everything.
 *
 * @param text   text that the actor, action, target or detail contains, ignoring case
 * @param actor  exactly this actor
 * @param action this action, or a family of them ({@code bulk} matches {@code bulk.cancel})
 * @param since  at or after this instant
 * @param until  before this instant
 * @param offset entries to skip
 * @param limit  most entries in the page, 1 to {@value #MAX_LIMIT}
 */
public record AuditQuery(String text, String actor, String action, Instant since, Instant until, int offset, int limit) {
    /** Largest page. */
    public static final int MAX_LIMIT = 10_000;

    public AuditQuery {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    /** Every entry, newest first, up to the largest page. */
    public static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, 0, MAX_LIMIT);
    }

    boolean matches(AuditEntry entry) {
        return (text == null || text.isBlank() || entry.mentions(text.toLowerCase(Locale.ROOT)))
                && (actor == null || actor.equals(entry.actor()))
                && (action == null || entry.action().equals(action) || entry.action().startsWith(action + "."))
                && (since == null || !entry.at().isBefore(since))
                && (until == null || entry.at().isBefore(until));
    }
}
