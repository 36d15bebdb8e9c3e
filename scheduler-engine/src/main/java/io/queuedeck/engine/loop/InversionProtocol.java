package io.queuedeck.engine.loop;

/**
 * What the scheduler does when a task waits for an exclusive resource (metadata key
 * {@code exclusive_resource}, for example a LoRA adapter slot) that a less urgent task holds.
 */
public enum InversionProtocol {
    /** Nothing: tasks of middle priority can keep the holder, and so the waiter, waiting. */
    NONE,
    /** The holder runs at the priority of its most urgent waiter until it releases the resource. */
    INHERITANCE,
    /** A holder runs at the resource's ceiling priority (most urgent by default) while it holds it. */
    CEILING
}
