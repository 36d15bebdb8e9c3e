package io.queuedeck.engine.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Maps policy names to their factories. The one way to create a {@link SchedulingPolicy}. */
public final class PolicyRegistry {
    private static final Map<String, Function<PolicyConfig, SchedulingPolicy>> FACTORIES = new LinkedHashMap<>();

    static {
        register(FifoPolicy.class, FifoPolicy::new);
        register(PriorityPolicy.class, PriorityPolicy::new);
        register(MlfqPolicy.class, MlfqPolicy::new);
        register(AgingPolicy.class, AgingPolicy::new);
        register(WeightedPolicy.class, WeightedPolicy::new);
        register(EdfPolicy.class, EdfPolicy::new);
        register(FairSharePolicy.class, FairSharePolicy::new);
        register(SjfPolicy.class, SjfPolicy::new);
        register(GittinsPolicy.class, GittinsPolicy::new);
        register(SrptOraclePolicy.class, SrptOraclePolicy::new);
    }

    private PolicyRegistry() {}

    private static void register(Class<? extends SchedulingPolicy> type, Function<PolicyConfig, SchedulingPolicy> factory) {
        FACTORIES.put(type.getAnnotation(PolicyName.class).value(), factory);
    }

    /** Every registered name, in a stable order. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /**
     * A new policy instance.
     *
     * @throws IllegalArgumentException for an unknown name or a bad parameter, with a message
     *                                  that names the known policies or the parameter
     */
    public static SchedulingPolicy create(String name, PolicyConfig config) {
        Function<PolicyConfig, SchedulingPolicy> factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown policy '" + name + "'; known policies: " + String.join(", ", names()));
        }
        SchedulingPolicy policy = factory.apply(config);
        config.checkAllRead(name);
        return policy;
    }

    /** Whether {@code name} needs a simulation's knowledge (true output lengths); false for unknown names. */
    public static boolean isSimulationOnly(String name) {
        Function<PolicyConfig, SchedulingPolicy> factory = FACTORIES.get(name);
        return factory != null && factory.apply(PolicyConfig.empty()).simulationOnly();
    }

    /** Whether the policy keeps lane order ({@link SchedulingPolicy#keepsLaneOrder}); false for unknown names. */
    public static boolean keepsLaneOrder(String name) {
        Function<PolicyConfig, SchedulingPolicy> factory = FACTORIES.get(name);
        return factory != null && factory.apply(PolicyConfig.empty()).keepsLaneOrder();
    }

    public static SchedulingPolicy create(String name) {
        return create(name, PolicyConfig.empty());
    }
}
