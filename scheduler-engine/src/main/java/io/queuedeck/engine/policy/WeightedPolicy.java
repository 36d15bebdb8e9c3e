package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Multi-factor priority, as Slurm's {@code priority/multifactor}: {@code score = Σ weight × factor},
 * every factor normalized to [0, 1], highest score first.
 *
 * <ul>
 *   <li>{@code age}: wait / {@code max_age_s}, capped at 1.</li>
 *   <li>{@code priority}: (9 − priority) / 9.</li>
 *   <li>{@code deadline}: how tight the deadline was when the task arrived,
 *       1 − slack / {@code deadline_horizon_s} (0 without a deadline).</li>
 *   <li>{@code fairshare}: 2^(−usage share × tenants), usage counted in tokens served per
 *       tenant (Slurm's classic formula with equal shares).</li>
 *   <li>{@code size}: 1 − predicted tokens / {@code size_cap_tokens}: small jobs first.</li>
 *   <li>user factors: {@code meta.KEY=WEIGHT} reads metadata KEY as a number in [0, 1].</li>
 * </ul>
 *
 * <p>O(log n): the static factors are summed once when a task joins. Age grows at the same rate
 * for every waiting task, so until the cap it adds the same amount to everyone and the order
 * within a tenant is that of {@code static − w_age × arrival / max_age}; tasks that reach the cap
 * move (in arrival order) to a second heap ordered by {@code static + w_age}. Fair share is the
 * same for all of a tenant's tasks, so it is added when comparing the tenants' best tasks.
 * ({@link Task#level()} records which heap a task is in: 0 young, 1 capped.)
 */
@PolicyName("weighted")
final class WeightedPolicy implements SchedulingPolicy {
    private final double wAge, wPriority, wDeadline, wFairshare, wSize;
    private final long maxAgeNanos;
    private final double deadlineHorizonNanos;
    private final double sizeCapTokens;
    /** Null unless a predictor is configured: then the size factor uses its prediction instead of max_tokens. */
    private final Predictions predictions;
    private final Map<String, Double> metadataWeights = new LinkedHashMap<>();
    private final Map<String, TenantQueues> tenants = new LinkedHashMap<>();
    private final Map<String, Double> usage = new HashMap<>();
    private double totalUsage;
    private int size;

    private final class TenantQueues {
        /** Under the age cap: key = −static + w_age × arrival / max_age. */
        final IndexedTaskHeap young = new IndexedTaskHeap(KeyedPolicy::order);
        /** At the cap: key = −(static + w_age). */
        final IndexedTaskHeap capped = new IndexedTaskHeap(KeyedPolicy::order);
        /** Young tasks by arrival, for moving them to {@link #capped}; stale entries are skipped. */
        final PriorityQueue<Task> byArrival = new PriorityQueue<>(Comparator.comparingLong(Task::arrivedAt));

        int size() {
            return young.size() + capped.size();
        }
    }

    WeightedPolicy(PolicyConfig config) {
        wAge = config.doubleValue("age", 1, 0, 1e6);
        wPriority = config.doubleValue("priority", 2, 0, 1e6);
        wDeadline = config.doubleValue("deadline", 1, 0, 1e6);
        wFairshare = config.doubleValue("fairshare", 1, 0, 1e6);
        wSize = config.doubleValue("size", 1, 0, 1e6);
        maxAgeNanos = (long) (config.doubleValue("max_age_s", 60, 0.001, 1e7) * 1e9);
        deadlineHorizonNanos = config.doubleValue("deadline_horizon_s", 60, 0.001, 1e7) * 1e9;
        sizeCapTokens = config.doubleValue("size_cap_tokens", 4096, 1, 1e7);
        predictions = Predictions.ifGiven(config);
        for (Map.Entry<String, String> entry : config.values().entrySet()) {
            if (entry.getKey().startsWith("meta.")) {
                metadataWeights.put(entry.getKey().substring(5), config.doubleValue(entry.getKey(), 0, 0, 1e6));
            }
        }
    }

    @Override
    public String name() {
        return "weighted";
    }

    @Override
    public void enqueue(Task task, long now) {
        TenantQueues queues = tenants.computeIfAbsent(tenantOf(task), t -> new TenantQueues());
        double fixed = staticScore(task);
        if (now - task.arrivedAt() >= maxAgeNanos) {
            toCapped(queues, task, fixed);
        } else {
            task.setLevel(0);
            task.setPolicyKey(-fixed + wAge * task.arrivedAt() / maxAgeNanos);
            queues.young.add(task);
            queues.byArrival.add(task);
        }
        size++;
    }

    @Override
    public Task peek(long now) {
        TenantQueues best = bestTenant(now);
        return best == null ? null : head(best, now);
    }

    @Override
    public Task poll(long now) {
        TenantQueues best = bestTenant(now);
        if (best == null) {
            return null;
        }
        Task task = head(best, now);
        remove(task);
        charge(task, task.contextTokens());
        return task;
    }

    @Override
    public boolean remove(Task task) {
        String name = tenantOf(task);
        TenantQueues queues = tenants.get(name);
        if (queues == null || !(task.level() == 0 ? queues.young.remove(task) : queues.capped.remove(task))) {
            return false;
        }
        size--;
        if (queues.size() == 0) {
            tenants.remove(name);
        }
        return true;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int compare(Task a, Task b) {
        return Double.compare(score(b, b.enqueuedAt()), score(a, a.enqueuedAt()));
    }

    @Override
    public void onStep(Task running, long now) {
        charge(running, 1);
    }

    /** The step that generated a task's last token is reported as its completion, not as a step. */
    @Override
    public void onCompleted(Task task, long now) {
        charge(task, 1);
        if (predictions != null) {
            predictions.completed(task);
        }
    }

    @Override
    public boolean simulationOnly() {
        return predictions != null && predictions.needsTruth();
    }

    @Override
    public Optional<ScoreBreakdown> explain(Task task, long now) {
        List<ScoreBreakdown.Factor> factors = new ArrayList<>();
        factors.add(factor("age", ageFactor(task, now), wAge));
        factors.add(factor("priority", priorityFactor(task), wPriority));
        factors.add(factor("deadline", deadlineFactor(task), wDeadline));
        factors.add(factor("fairshare", fairshareFactor(tenantOf(task)), wFairshare));
        factors.add(factor("size", sizeFactor(task), wSize));
        for (Map.Entry<String, Double> meta : metadataWeights.entrySet()) {
            factors.add(factor("meta." + meta.getKey(), metadataFactor(task, meta.getKey()), meta.getValue()));
        }
        double score = factors.stream().mapToDouble(ScoreBreakdown.Factor::contribution).sum();
        return Optional.of(new ScoreBreakdown(score, factors));
    }

    /** The score of a waiting task at {@code now}. */
    double score(Task task, long now) {
        return staticScore(task) + wAge * ageFactor(task, now) + wFairshare * fairshareFactor(tenantOf(task));
    }

    private Task head(TenantQueues queues, long now) {
        Task young = queues.young.peek();
        Task capped = queues.capped.peek();
        if (young == null || capped == null) {
            return young != null ? young : capped;
        }
        return youngScore(young, now) >= -capped.policyKey() ? young : capped;
    }

    private TenantQueues bestTenant(long now) {
        TenantQueues best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, TenantQueues> entry : tenants.entrySet()) {
            TenantQueues queues = entry.getValue();
            moveCapped(queues, now);
            Task head = head(queues, now);
            double headScore = (head.level() == 0 ? youngScore(head, now) : -head.policyKey())
                    + wFairshare * fairshareFactor(entry.getKey());
            if (headScore > bestScore) {
                best = queues;
                bestScore = headScore;
            }
        }
        return best;
    }

    private double youngScore(Task task, long now) {
        return -task.policyKey() + wAge * (double) now / maxAgeNanos;
    }

    private void moveCapped(TenantQueues queues, long now) {
        Task oldest;
        while ((oldest = queues.byArrival.peek()) != null && now - oldest.arrivedAt() >= maxAgeNanos) {
            queues.byArrival.poll();
            if (oldest.level() == 0 && queues.young.remove(oldest)) {
                toCapped(queues, oldest, staticScore(oldest));
            }
        }
    }

    private void toCapped(TenantQueues queues, Task task, double fixed) {
        task.setLevel(1);
        task.setPolicyKey(-(fixed + wAge));
        queues.capped.add(task);
    }

    private double staticScore(Task task) {
        double score = wPriority * priorityFactor(task) + wDeadline * deadlineFactor(task) + wSize * sizeFactor(task);
        for (Map.Entry<String, Double> meta : metadataWeights.entrySet()) {
            score += meta.getValue() * metadataFactor(task, meta.getKey());
        }
        return score;
    }

    private double ageFactor(Task task, long now) {
        return Math.min(1.0, Math.max(0, now - task.arrivedAt()) / (double) maxAgeNanos);
    }

    private static double priorityFactor(Task task) {
        return (TaskSpec.MAX_PRIORITY - task.priority()) / (double) TaskSpec.MAX_PRIORITY;
    }

    private double deadlineFactor(Task task) {
        if (!task.hasDeadline()) {
            return 0;
        }
        // In double: a deadline centuries ago is clamped near Long.MIN_VALUE, and a long
        // subtraction would wrap around to a slack of centuries.
        double slack = (double) task.deadlineAt() - task.arrivedAt();
        return 1 - Math.min(1, Math.max(0, slack / deadlineHorizonNanos));
    }

    private double fairshareFactor(String tenant) {
        if (totalUsage <= 0) {
            return 1;
        }
        double share = usage.getOrDefault(tenant, 0.0) / totalUsage;
        return Math.pow(2, -share * Math.max(1, usage.size()));
    }

    private double sizeFactor(Task task) {
        Integer maxTokens = task.spec().maxTokens();
        double output = predictions != null ? predictions.tokens(task) : maxTokens == null ? 0 : maxTokens;
        double predicted = task.promptTokens() + output;
        return 1 - Math.min(1, predicted / sizeCapTokens);
    }

    private static double metadataFactor(Task task, String key) {
        Map<String, String> metadata = task.spec().metadata();
        String text = metadata == null ? null : metadata.get(key);
        if (text == null) {
            return 0;
        }
        try {
            return Math.min(1, Math.max(0, Double.parseDouble(text)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void charge(Task task, double tokens) {
        usage.merge(tenantOf(task), tokens, Double::sum);
        totalUsage += tokens;
    }

    private static ScoreBreakdown.Factor factor(String name, double value, double weight) {
        return new ScoreBreakdown.Factor(name, value, weight, value * weight);
    }

    private static String tenantOf(Task task) {
        String tenant = task.spec().tenant();
        return tenant == null ? "-" : tenant;
    }
}
