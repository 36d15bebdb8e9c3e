package io.queuedeck.engine.loop;

import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The waiting tasks of each model, each model's in its own instance of the live policy, and
 * the instances that serve it. Loop thread only.
 */
final class ModelQueues {
    /** The waiting tasks of one model and the instances that serve it. */
    record ModelQueue(String model, SchedulingPolicy policy, int[] instances) {}

    private final Executor executor;
    private final boolean simulated;
    private final FlowControl flow;
    private final Map<String, ModelQueue> queues = new LinkedHashMap<>();
    private String policyName;
    private PolicyConfig policyConfig;
    /** A canary's own policy (decision 0051), or null: then canary tasks wait with the others. */
    private String canaryName;
    private PolicyConfig canaryConfig;
    private long generation;

    /** @param simulated whether the clock is virtual: only a simulation may run policies that know the future */
    ModelQueues(Executor executor, boolean simulated, String policy, PolicyConfig config, FlowControl flow) {
        this.executor = executor;
        this.simulated = simulated;
        this.flow = flow;
        install(policy, config);
    }

    /**
     * Replaces the live policy. Waiting tasks move to the new policy in rank order (submission
     * order as operators left it) and keep their accumulated wait. Throws, changing nothing, on
     * a bad name or parameter.
     */
    void switchTo(String name, PolicyConfig config, long now) {
        List<ModelQueue> old = List.copyOf(queues.values());
        install(name, config);
        for (ModelQueue oldQueue : old) {
            List<Task> waiting = new ArrayList<>(oldQueue.policy().size());
            Task task;
            while ((task = pollAny(oldQueue.policy(), now)) != null) {
                waiting.add(task);
            }
            waiting.sort((a, b) -> Long.compare(a.rank(), b.rank()));
            SchedulingPolicy policy = queues.get(oldQueue.model()).policy();
            for (Task moved : waiting) {
                policy.admit(moved, now);
                policy.enqueue(moved, now);
            }
        }
    }

    private void install(String name, PolicyConfig config) {
        if (!simulated && PolicyRegistry.isSimulationOnly(name)) {
            throw new IllegalArgumentException("policy '" + name
                    + "' needs the true output lengths that only a simulation knows; it cannot run live");
        }
        Map<String, List<Integer>> byModel = new LinkedHashMap<>();
        for (int i = 0; i < executor.instanceCount(); i++) {
            byModel.computeIfAbsent(executor.model(i), m -> new ArrayList<>()).add(i);
        }
        for (String unserved : queues.keySet()) {
            byModel.putIfAbsent(unserved, List.of()); // a switch keeps the queues of recovered tasks no instance serves
        }
        Map<String, ModelQueue> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> entry : byModel.entrySet()) {
            SchedulingPolicy policy = create(name, config);
            if (canaryName != null) {
                policy = new ReleaseSplitPolicy(policy, create(canaryName, canaryConfig));
            }
            int[] ids = entry.getValue().stream().mapToInt(Integer::intValue).toArray();
            fresh.put(entry.getKey(), new ModelQueue(entry.getKey(), policy, ids));
        }
        queues.clear();
        queues.putAll(fresh);
        policyName = name;
        policyConfig = config;
        generation++;
    }

    private SchedulingPolicy create(String name, PolicyConfig parameters) {
        PolicyConfig config = parameters.withTiers(flow.settings().table());
        return flow.settings().tiered()
                ? new TieredPolicy(() -> PolicyRegistry.create(name, config), flow.settings(), flow)
                : PolicyRegistry.create(name, config);
    }

    /**
     * Gives canary tasks a queue of their own ordered by {@code name} (null: they wait with the
     * others again), moving every waiting task as a policy switch does. Throws, changing nothing,
     * on a bad name or parameter.
     */
    void setCanary(String name, PolicyConfig config, long now) {
        if (name != null && !simulated && PolicyRegistry.isSimulationOnly(name)) {
            throw new IllegalArgumentException("policy '" + name
                    + "' needs the true output lengths that only a simulation knows; it cannot run live");
        }
        if (name != null) {
            PolicyRegistry.create(name, config); // a bad parameter throws here, before anything moved
        }
        canaryName = name;
        canaryConfig = config;
        switchTo(policyName, policyConfig, now);
    }

    /** The canary's own policy, or null. */
    String canaryPolicy() {
        return canaryName;
    }

    /** The next waiting task, whatever tier caps or release shares say: a switch hands every one over. */
    static Task pollAny(SchedulingPolicy policy, long now) {
        return switch (policy) {
            case ReleaseSplitPolicy split -> split.pollAny(now);
            case TieredPolicy tiered -> tiered.pollAny(now);
            default -> policy.poll(now);
        };
    }

    /**
     * The queue of {@code model}. Admission takes only served models; a task recovered from the
     * store may name one no instance serves since the restart: it gets a queue with no instances
     * and waits there, kept, until a restart brings an instance that serves it.
     */
    ModelQueue of(String model) {
        ModelQueue queue = queues.get(model);
        if (queue == null) {
            SchedulingPolicy policy = create(policyName, policyConfig);
            if (canaryName != null) {
                policy = new ReleaseSplitPolicy(policy, create(canaryName, canaryConfig));
            }
            queue = new ModelQueue(model, policy, new int[0]);
            queues.put(model, queue);
        }
        return queue;
    }

    SchedulingPolicy policyOf(Task task) {
        return of(task.model()).policy();
    }

    /** The first model's policy: every model runs the same one. */
    SchedulingPolicy live() {
        return queues.values().iterator().next().policy();
    }

    Collection<ModelQueue> all() {
        return queues.values();
    }

    String policyName() {
        return policyName;
    }

    PolicyConfig policyConfig() {
        return policyConfig;
    }

    /** Counts policy installs, so the ticks of a replaced policy can tell they are stale. */
    long generation() {
        return generation;
    }

    /** Tasks the policies hold. */
    int size() {
        int size = 0;
        for (ModelQueue queue : queues.values()) {
            size += queue.policy().size();
        }
        return size;
    }

    List<Integer> sizeByLevel() {
        int[] levels = new int[live().levels()];
        for (ModelQueue queue : queues.values()) {
            int[] depth = queue.policy().depthByLevel();
            for (int i = 0; i < depth.length && i < levels.length; i++) {
                levels[i] += depth[i];
            }
        }
        return Arrays.stream(levels).boxed().toList();
    }
}
