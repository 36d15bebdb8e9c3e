package io.queuedeck.engine.fault;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the instance faults in force hold each instance to, so that faults of one kind on one
 * instance compose: the worst of them acts, and clearing one leaves the others acting. Before,
 * the last injected set the instance and the first cleared reset it, while the others were still
 * listed in force. Guarded by the catalogue's lock.
 */
final class InstanceHolds {
    private final Map<FaultKind, Map<Integer, Map<String, Double>>> held = new EnumMap<>(FaultKind.class);

    /** Fault {@code id} holds {@code instance} at {@code value}; answers what the instance is held to now. */
    double hold(FaultKind kind, int instance, String id, double value) {
        held.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(instance, i -> new LinkedHashMap<>()).put(id, value);
        return worst(kind, instance);
    }

    /** Fault {@code id} lets {@code instance} go; answers what the others still hold it to (neutral with none). */
    double release(FaultKind kind, int instance, String id) {
        Map<Integer, Map<String, Double>> byInstance = held.getOrDefault(kind, Map.of());
        Map<String, Double> on = byInstance.get(instance);
        if (on != null) {
            on.remove(id);
            if (on.isEmpty()) {
                byInstance.remove(instance);
            }
        }
        return worst(kind, instance);
    }

    /** Fault {@code id} holds nothing any more (an injection that failed part-way). */
    void forget(String id) {
        held.values().forEach(byInstance -> byInstance.values().removeIf(on -> on.remove(id) != null && on.isEmpty()));
    }

    /**
     * The worst hold: {@code slow} the largest factor (1: none), {@code kv_exhaustion} the smallest
     * fraction (1: none), {@code oom} the smallest prompt limit (0: none), {@code hang} 1 while any holds.
     */
    double worst(FaultKind kind, int instance) {
        Collection<Double> values = held.getOrDefault(kind, Map.of()).getOrDefault(instance, Map.of()).values();
        return switch (kind) {
            case SLOW -> values.stream().mapToDouble(Double::doubleValue).max().orElse(1.0);
            case KV_EXHAUSTION -> values.stream().mapToDouble(Double::doubleValue).min().orElse(1.0);
            case OOM -> values.stream().mapToDouble(Double::doubleValue).min().orElse(0.0);
            case HANG -> values.isEmpty() ? 0.0 : 1.0;
            default -> throw new IllegalArgumentException(kind + " holds an instance at no value");
        };
    }
}
