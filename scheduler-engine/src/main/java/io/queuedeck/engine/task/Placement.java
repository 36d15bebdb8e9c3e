package io.queuedeck.engine.task;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * Where a waiting task goes within its lane (the waiting tasks of one priority) when an operator
 * moves it: what runs first among tasks of one priority under the policies that keep lane order
 * (fifo, priority and mlfq).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "at")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Placement.Front.class, name = "front"),
        @JsonSubTypes.Type(value = Placement.Back.class, name = "back"),
        @JsonSubTypes.Type(value = Placement.Before.class, name = "before"),
        @JsonSubTypes.Type(value = Placement.After.class, name = "after")})
public sealed interface Placement {

    /** Ahead of every task of the lane. */
    record Front() implements Placement {}

    /** Behind every task of the lane, as if it had just arrived. */
    record Back() implements Placement {}

    /** Just ahead of another waiting task of the lane. */
    record Before(String taskId) implements Placement {
        public Before {
            Objects.requireNonNull(taskId, "taskId");
        }
    }

    /** Just behind another waiting task of the lane. */
    record After(String taskId) implements Placement {
        public After {
            Objects.requireNonNull(taskId, "taskId");
        }
    }

    static Placement front() {
        return new Front();
    }

    static Placement back() {
        return new Back();
    }

    static Placement before(String taskId) {
        return new Before(taskId);
    }

    static Placement after(String taskId) {
        return new After(taskId);
    }
}
