package io.queuedeck.engine.drill;

import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditTrail;
import io.queuedeck.engine.fault.FaultCatalogue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;

/**
 * What operators did to a live engine while a drill ran on it, from the audit trail, for the run
 * log: a verdict that left them out blamed the drill's fault for what an operator changed meanwhile.
 */
final class OperatorActions {
    private final Queue<AuditEntry> seen = new ConcurrentLinkedQueue<>();
    private Runnable stop = () -> { };

    /** Listens to {@code trail} until {@link #stop}. */
    void watch(AuditTrail trail) {
        stop = trail.onEntry(entry -> {
            if (byAnOperator(entry)) {
                seen.add(entry);
            }
        });
    }

    void stop() {
        stop.run();
    }

    /** Hands each action seen since the last call to {@code log} as (action, what was done), oldest first. */
    void drain(BiConsumer<String, String> log) {
        for (AuditEntry entry; (entry = seen.poll()) != null; ) {
            log.accept("operator " + entry.action(), entry.actor() + " (" + entry.source() + "): " + entry.target()
                    + (entry.detail() == null || entry.detail().isEmpty() ? "" : " · " + entry.detail()));
        }
    }

    /**
     * An entry an operator made (API or console) that the drill's events do not log already: a
     * policy or config change, a poisoned task, a bulk action; not GPU changes or catalogue faults.
     */
    private static boolean byAnOperator(AuditEntry entry) {
        String action = entry.action();
        boolean shownByEvents = action.startsWith("instance.") // GPU changes: their InstanceChanged events
                || action.startsWith("fault.") && !action.equals("fault.poison_task") && !action.equals("fault.load_burst");
        return !shownByEvents && !entry.actor().equals(FaultCatalogue.UNNAMED);
    }
}
