package io.queuedeck.engine.exec;

/** Health of one executor instance. */
public enum InstanceState {
    /** Serving at full speed. */
    UP,
    /** Serving, but slowed down (a fault or a throttled GPU). */
    SLOW,
    /** Taken out of service by an operator; accepts no work. */
    OFFLINE,
    /** Crashed; comes back after it reloads its model. */
    DOWN,
    /** Loading its model; accepts no work yet. */
    LOADING;

    public boolean acceptsWork() {
        return this == UP || this == SLOW;
    }
}
