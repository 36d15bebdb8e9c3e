package io.queuedeck.engine.snapshot;

import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.task.TaskState;

/** Something that happened in the engine, stamped with the engine clock (nanoseconds). */
public sealed interface EngineEvent {
    long at();

    /** A task moved in its lifecycle; {@code from} is null on arrival. */
    record TaskTransitioned(long at, String taskId, TaskState from, TaskState to, int priority, int instance)
            implements EngineEvent {}

    /** An operator changed a task's priority. */
    record TaskReprioritized(long at, String taskId, int from, int to) implements EngineEvent {}

    /** An executor instance changed health, for example by an injected fault. */
    record InstanceChanged(long at, int instance, InstanceState state, String reason) implements EngineEvent {}

    /** The live scheduling policy was switched. */
    record PolicyChanged(long at, String from, String to) implements EngineEvent {}

    /** A new config version runs from now on (a reload, a rollback, a canary's start, promotion or end). */
    record ConfigApplied(long at, int version, String label) implements EngineEvent {}

    /** A fault began ({@code active}) or ended: a labelled marker for charts and the run log of a drill. */
    record FaultMarked(long at, String faultId, String label, boolean active) implements EngineEvent {}

    /**
     * An operator or an API client changed something (an audit trail entry): a labelled marker on
     * the charts. {@code at} is the engine clock when it was recorded.
     */
    record OperatorAction(long at, String actor, String action, String label, int tasks) implements EngineEvent {}

    /** Dispatch was paused or resumed. */
    record DispatchToggled(long at, boolean paused) implements EngineEvent {}
}
