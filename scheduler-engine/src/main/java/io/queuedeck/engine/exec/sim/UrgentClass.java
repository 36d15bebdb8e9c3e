package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.task.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The urgent class of {@link VllmGpuExecutor} ({@link VllmProfile#urgentPriority()}): what it
 * waits for on an instance, and whom it preempts for room there. Decision 0056.
 */
final class UrgentClass {
    private UrgentClass() {}

    /** Prompt tokens of the urgent class admitted to an instance and not yet prefilled. */
    static long backlog(List<Seq> running, VllmProfile profile) {
        long tokens = 0;
        for (int i = 0, n = running.size(); i < n; i++) {
            Seq seq = running.get(i);
            if (profile.urgent(seq.task.priority())) {
                tokens += Math.max(0, seq.task.contextTokens() - 1 - seq.computed);
            }
        }
        return tokens;
    }

    /**
     * The running tasks of a less urgent class than {@code task} to preempt, least urgent first
     * ({@code victimOrder}), so that it gets {@code needed} KV blocks and a sequence slot; null
     * when preempting all of them would not do.
     */
    static List<Seq> victims(List<Seq> running, Task task, long free, long needed, int maxSeqs,
                             Comparator<Seq> victimOrder) {
        List<Seq> candidates = new ArrayList<>();
        for (Seq seq : running) {
            if (seq.task.priority() > task.priority()) {
                candidates.add(seq);
            }
        }
        candidates.sort(victimOrder);
        long room = free;
        int seqs = running.size();
        List<Seq> victims = new ArrayList<>();
        for (Seq seq : candidates) {
            if (room >= needed && seqs < maxSeqs) {
                break;
            }
            victims.add(seq);
            room += seq.blocks + seq.promised;
            seqs--;
        }
        return room >= needed && seqs < maxSeqs ? victims : null;
    }
}
