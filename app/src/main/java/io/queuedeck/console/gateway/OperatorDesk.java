package io.queuedeck.console.gateway;

import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditPage;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.bulk.BulkRequest;
import io.queuedeck.engine.bulk.OperationStatus;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The console's side of bulk operations and the audit trail (decisions 0040, 0041): what the Search
 * and Activity screens use besides commands. Actions are recorded under the console's operator.
 * Every method returns at once.
 */
public interface OperatorDesk {

    /** Starts a bulk action; its progress is read with {@link #operation}. */
    OperationStatus startBulk(BulkRequest request);

    /** The operation's progress, if it is still remembered. */
    Optional<OperationStatus> operation(String id);

    /** Starts putting back what the operation changed; refused (an exception) when it cannot be undone. */
    OperationStatus undo(String id);

    /** A page of the audit trail, newest first. */
    AuditPage audit(AuditQuery query);

    /** Told of every new audit entry, on the FX thread. */
    void onAudit(Consumer<AuditEntry> listener);
}
