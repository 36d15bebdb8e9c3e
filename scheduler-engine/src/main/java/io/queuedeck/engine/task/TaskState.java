package io.queuedeck.engine.task;

/**
 * The lifecycle of a task. {@link #isAllowed(TaskState, TaskState)} is the one rule for every
 * move; {@link Task#transitionTo} throws on a move it forbids.
 *
 * <pre>
 *            ┌──────────── cancel / timeout ────────────┐
 * QUEUED ──► RUNNING ──► SUCCEEDED                       ▼
 *   ▲  ▲        │ └────► PREEMPTED ──► RUNNING     CANCELLED, TIMED_OUT
 *   │  │        ▼
 *   │  └── RETRY_WAIT ◄── FAILED ──► DEAD_LETTERED ──► QUEUED (operator replay)
 *   └─────────── QUEUED ──► DEAD_LETTERED (parked by a tier's degrade action)
 * </pre>
 */
public enum TaskState {
    QUEUED, RUNNING, PREEMPTED, SUCCEEDED, FAILED, RETRY_WAIT, CANCELLED, TIMED_OUT, DEAD_LETTERED;

    /** Whether a task may move from {@code from} to {@code to}. */
    public static boolean isAllowed(TaskState from, TaskState to) {
        return switch (from) {
            // DEAD_LETTERED from QUEUED: parked at admission by a tier's degrade action, for replay
            case QUEUED -> to == RUNNING || to == CANCELLED || to == TIMED_OUT || to == DEAD_LETTERED;
            case RUNNING -> to == SUCCEEDED || to == FAILED || to == PREEMPTED
                    || to == CANCELLED || to == TIMED_OUT;
            case PREEMPTED -> to == RUNNING || to == CANCELLED || to == TIMED_OUT;
            case FAILED -> to == RETRY_WAIT || to == DEAD_LETTERED;
            case RETRY_WAIT -> to == QUEUED || to == CANCELLED || to == DEAD_LETTERED;
            case DEAD_LETTERED -> to == QUEUED;
            case SUCCEEDED, CANCELLED, TIMED_OUT -> false;
        };
    }

    /** Waiting for a GPU: held by the scheduling policy. */
    public boolean isWaiting() {
        return this == QUEUED || this == PREEMPTED;
    }

    /** No further move except an operator's replay of a dead letter. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == CANCELLED || this == TIMED_OUT || this == DEAD_LETTERED;
    }
}
