package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ProgressWatchdog;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultyStore;
import io.queuedeck.engine.fault.TcpFaultProxy;
import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.store.TaskStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The engine a drill's {@code target} describes: simulated GPUs (or, with {@code target.backends},
 * real servers behind fault proxies) behind an optional progress watchdog.
 */
final class SimulatedCluster {
    final Engine engine;
    final ProgressWatchdog watchdog;
    /** The store {@code store_full} faults fail, when the target has one; null in memory. */
    final FaultyStore store;
    /** The real Redis (behind its fault proxy) of a {@code store: redis} target; null otherwise. */
    final DrillRedis redis;
    /** The real servers (behind their fault proxies) of a {@code backends} target; null otherwise. */
    final DrillBackends backends;
    private final Path storeDir;
    private final boolean virtual;

    /**
     * @param clock      the virtual clock, or null for the system clock (a live run)
     * @param ids        ids for tasks submitted without one (null: the engine's)
     * @param onFailover told what the watchdog did
     */
    SimulatedCluster(Drill.Target target, EngineClock clock, Supplier<String> ids, Consumer<String> onFailover) {
        if (target.backends() != null && clock != null) {
            throw new IllegalArgumentException(DrillBackends.REALTIME_ONLY);
        }
        GpuProfile profile = GpuProfile.LLAMA2_7B_H100.withMaxBatch(target.maxBatch());
        backends = target.backends() == null ? null : new DrillBackends(target.backends());
        // pinned: the drills were designed for this model, which has every fault hook (hang, KV cut, OOM)
        Executor gpus = backends != null ? backends.executor
                : new SimulatedGpuExecutor(target.gpus(), Engine.Builder.DEFAULT_MODEL, profile);
        watchdog = target.watchdog() == null ? null
                : new ProgressWatchdog(gpus, target.watchdog(), instance -> onFailover.accept("GPU " + instance
                + " made no progress for " + target.watchdog().toSeconds() + " s: failed over"));
        Engine.Builder builder = Engine.builder()
                .executor(watchdog == null ? gpus : watchdog)
                .policy(target.policy())
                .policyConfig(PolicyConfig.of(target.policyParameters()))
                .flow(target.flow())
                .retry(new RetryRule(target.maxAttempts(), RetryRule.DEFAULT.baseNanos(), RetryRule.DEFAULT.capNanos()))
                .inversionProtocol(InversionProtocol.valueOf(target.inversion().toUpperCase(Locale.ROOT)));
        if (ids != null) {
            builder.idSupplier(ids);
        }
        if (clock != null) {
            builder.clock(clock);
        }
        virtual = clock != null;
        if (target.store().equals("redis")) {
            storeDir = null;
            redis = new DrillRedis();
            try {
                store = new FaultyStore(TaskStore.redis(redis.uri()));
            } catch (RuntimeException e) {
                redis.close();
                throw e;
            }
            builder.store(store);
        } else if (target.store().equals("embedded")) {
            try {
                storeDir = Files.createTempDirectory("queuedeck-drill-store");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            store = new FaultyStore(TaskStore.embedded(storeDir));
            builder.store(store);
            redis = null;
        } else {
            redis = null;
            storeDir = null;
            store = null;
        }
        engine = builder.build();
    }

    /**
     * The drill's fault catalogue for this cluster: {@code store_full} fails its store, and
     * {@code network} faults on {@code backend:redis} its Redis proxy. On the virtual clock each
     * change of that proxy holds the drill's time until the engine's Redis client has met it
     * ({@link DrillRedis#holdUntilClientSees}), which {@code note} is told.
     */
    FaultCatalogue catalogue(FaultClock clock, DoubleSupplier baseRate, Consumer<String> note) {
        FaultCatalogue faults = new FaultCatalogue(engine, clock, baseRate);
        if (store != null) {
            faults.registerStore(store);
        }
        if (backends != null) {
            backends.register(faults); // network faults on backend:NAME, http faults on a server
        }
        if (redis != null) {
            faults.registerProxy(DrillRedis.PROXY_NAME, redis.proxy); // network faults on backend:redis
            if (virtual) {
                redis.proxy.onSet(toxics -> {
                    boolean cut = toxics.down() || toxics.reset();
                    if (cut || toxics.equals(TcpFaultProxy.Toxics.NONE)) { // latency and stalls are not held (decision 0072)
                        note.accept(redis.holdUntilClientSees(!cut, store));
                    }
                });
            }
        }
        return faults;
    }

    /** With real servers, waits until the started engine serves on each of them; answers what to log (null: nothing to wait for). */
    String awaitServing() {
        return backends == null ? null : backends.awaitServing(engine);
    }

    /** Closes the engine (and its store) and removes the store's temporary directory. */
    void close() {
        engine.close();
        if (backends != null) {
            backends.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (storeDir != null) {
            try (Stream<Path> files = Files.walk(storeDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }

    long failovers() {
        return watchdog == null ? 0 : watchdog.failovers();
    }
}
