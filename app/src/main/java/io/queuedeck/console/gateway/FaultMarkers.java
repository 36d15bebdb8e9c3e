package io.queuedeck.console.gateway;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EventSubscription;
import io.queuedeck.engine.snapshot.EngineEvent;
import java.util.Objects;

/**
 * Every fault of the catalogue (from the Drills screen, the REST API or a drill) as a labelled
 * marker on the charts: its {@code FaultMarked} events become change-log entries, which the
 * charts draw with the label and a tooltip. Drained once per frame on the FX thread; the engine
 * publishes into a mailbox that drops rather than waits.
 */
public final class FaultMarkers {
    private final EventSubscription events;
    private final ChangeLog log;

    public FaultMarkers(Engine engine, ChangeLog log) {
        this.events = engine.subscribe(4_096);
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Moves the fault marks published since the last call into the change log. */
    public void drain() {
        events.drain(Integer.MAX_VALUE, event -> {
            if (event instanceof EngineEvent.FaultMarked mark) {
                log.record(mark.active() ? ChangeLog.Kind.FAULT : ChangeLog.Kind.RECOVERY,
                        (mark.active() ? "fault " : "fault cleared ") + mark.faultId() + ": " + mark.label());
            }
        });
    }
}
