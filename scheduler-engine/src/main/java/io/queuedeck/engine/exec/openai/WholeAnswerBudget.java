package io.queuedeck.engine.exec.openai;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The characters of log probabilities and tool calls that every whole (non-streamed) front-door
 * answer being gathered holds at once. Each answer had a bound of its own, 32 characters per
 * character of its text's limit (32 Mi without {@code max_tokens}), but nothing bounded them
 * together: three clients asking for {@code logprobs} with {@code top_logprobs: 20} ran a 256 MB
 * heap out of memory, and the process ended.
 */
final class WholeAnswerBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    WholeAnswerBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code chars} if they fit under the limit beside what is held; answers whether they did. */
    boolean take(long chars) {
        while (true) {
            long now = held.get();
            if (now + chars > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + chars)) {
                return true;
            }
        }
    }

    void give(long chars) {
        held.addAndGet(-chars);
    }

    long limit() {
        return limit;
    }

    /** Characters held now. */
    long held() {
        return held.get();
    }
}
