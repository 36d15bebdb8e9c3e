package io.queuedeck.engine.audit;

import java.util.List;

/**
 * A page of the audit trail, newest first.
 *
 * @param entries the entries
 * @param total   how many entries matched in all
 */
public record AuditPage(List<AuditEntry> entries, int total) {}
