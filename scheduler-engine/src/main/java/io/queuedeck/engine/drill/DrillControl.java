package io.queuedeck.engine.drill;

import io.queuedeck.engine.drill.DrillResult.LogLine;
import io.queuedeck.engine.drill.DrillResult.Marker;
import java.util.List;

/** What a listener may read and do while a drill runs, on the drill's thread. */
public interface DrillControl {
    /** Seconds since the start. */
    double second();

    /** Seconds from the start when the drill's observation ends (the run then settles its tasks). */
    double end();

    /** Aborts the drill and clears every fault (the kill switch). */
    void abort(String reason);

    /** Each step at the second it is planned for. */
    List<Marker> plan();

    /** What happened so far (copies). */
    List<Marker> markers();

    List<LogLine> log();

    /** Each probe judged on what has been seen so far. */
    List<ProbeLight> lights();

    /** Why the run was aborted; null while it was not. */
    String abortReason();
}
