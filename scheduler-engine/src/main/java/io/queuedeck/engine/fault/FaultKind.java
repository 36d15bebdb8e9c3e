package io.queuedeck.engine.fault;

import io.queuedeck.engine.fault.BlastRadius.Scope;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The fault catalogue: every fault QueueDeck can inject, the targets it may hit and its
 * parameters with their defaults. docs/faults.md describes each.
 */
public enum FaultKind {
    /** The instance dies; its tasks fail back and are retried elsewhere; it reloads its model. */
    CRASH(EnumSet.of(Scope.INSTANCE, Scope.BACKEND, Scope.NODE), Map.of()),
    /** The instance stops making progress without failing; the progress watchdog fails it over. */
    HANG(EnumSet.of(Scope.INSTANCE, Scope.BACKEND, Scope.NODE), Map.of()),
    /** Every step takes {@code factor} times as long. */
    SLOW(EnumSet.of(Scope.INSTANCE, Scope.BACKEND, Scope.NODE), Map.of("factor", 3.0)),
    /** The instance goes down and up every {@code period_s} seconds. */
    FLAP(EnumSet.of(Scope.INSTANCE, Scope.BACKEND, Scope.NODE), Map.of("period_s", 10.0)),
    /** The KV cache shrinks to {@code fraction}: running tasks are preempted and recompute later. */
    KV_EXHAUSTION(EnumSet.of(Scope.INSTANCE, Scope.BACKEND, Scope.NODE), Map.of("fraction", 0.25)),
    /** Prompts above {@code prompt_tokens} fail with out-of-memory. */
    OOM(EnumSet.of(Scope.INSTANCE, Scope.BACKEND, Scope.NODE), Map.of("prompt_tokens", 2048.0)),
    /** Extra arrivals: {@code factor} times the base load (or {@code rate} tasks/s) in a tier or the node. */
    BURST(EnumSet.of(Scope.TIER, Scope.NODE), Map.of("factor", 3.0, "rate", 0.0, "prompt_tokens", 512.0, "output_tokens", 128.0)),
    /** One tenant sends {@code rate} tasks/s. */
    TENANT_FLOOD(EnumSet.of(Scope.TENANT), Map.of("rate", 50.0, "prompt_tokens", 512.0, "output_tokens", 128.0)),
    /** {@code rate} tasks/s that fail on every attempt (metadata poison=true). */
    POISON(EnumSet.of(Scope.TIER, Scope.TENANT, Scope.NODE), Map.of("rate", 5.0, "prompt_tokens", 256.0, "output_tokens", 64.0)),
    /** {@code rate} urgent (priority 0) arrivals a second: under a preemptive policy each evicts a running task. */
    PREEMPTION_STORM(EnumSet.of(Scope.NODE, Scope.TIER), Map.of("rate", 20.0, "prompt_tokens", 256.0, "output_tokens", 32.0)),
    /**
     * The task store's writes fail as on a full disk: new work is refused with 503, nothing
     * acknowledged is lost, and writes succeed again once the fault is cleared. Needs a
     * {@link FaultyStore} registered with the catalogue.
     */
    STORE_FULL(EnumSet.of(Scope.NODE), Map.of()),
    /**
     * Faults on a real connection through a {@link TcpFaultProxy} registered for the backend (or
     * callback receiver): {@code latency_ms}, {@code jitter_ms}, {@code bandwidth_kbps},
     * {@code timeout} (1: hold data: a stalled stream), {@code reset} (1: reset connections),
     * {@code down} (1: refuse), {@code status} (429 or 5xx: the proxy answers every request in the
     * server's place, with {@code Retry-After: retry_after_s} when given; 0: none).
     */
    NETWORK(EnumSet.of(Scope.BACKEND), Map.of("latency_ms", 0.0, "jitter_ms", 0.0, "bandwidth_kbps", 0.0,
            "timeout", 0.0, "reset", 0.0, "down", 0.0, "status", 0.0, "retry_after_s", 0.0)),
    /**
     * HTTP-level faults of one real backend (named by its base URL or a model only it serves):
     * its completion requests are answered {@code status} (429 or 5xx; a 429 with
     * {@code Retry-After: retry_after_s} when given), or, with {@code stall} 1, reach the server
     * and stall after the headers; {@code fraction} of requests are hit.
     */
    HTTP(EnumSet.of(Scope.BACKEND), Map.of("status", 503.0, "retry_after_s", 0.0, "stall", 0.0, "fraction", 1.0)),
    /** Callback receivers are down: every attempt's connection is refused (retried by the dispatcher's schedule). */
    CALLBACK_DOWN(EnumSet.of(Scope.NODE, Scope.TENANT, Scope.HOST), Map.of()),
    /** Callback receivers answer {@code latency_ms} late. */
    CALLBACK_SLOW(EnumSet.of(Scope.NODE, Scope.TENANT, Scope.HOST), Map.of("latency_ms", 2000.0)),
    /** Callback receivers answer {@code status} (5xx). */
    CALLBACK_5XX(EnumSet.of(Scope.NODE, Scope.TENANT, Scope.HOST), Map.of("status", 503.0));

    private final Set<Scope> scopes;
    private final Map<String, Double> defaults;

    FaultKind(Set<Scope> scopes, Map<String, Double> defaults) {
        this.scopes = scopes;
        this.defaults = defaults;
    }

    /** The targets this fault may hit. */
    public Set<Scope> scopes() {
        return scopes;
    }

    /** Its parameters with their defaults. */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /** Whether it acts on GPU instances (as opposed to load or a connection). */
    public boolean onInstances() {
        return scopes.contains(Scope.INSTANCE);
    }

    /** The name in files and the API: {@code kv_exhaustion}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind named exactly {@code name}, as {@link #wireName()} writes it ({@code kv_exhaustion}): a
     * kind is read as strictly as the API's other enums (decision 0139), so {@code CRASH} or
     * {@code kv-exhaustion} is refused, saying how to write it.
     */
    public static FaultKind parse(String name) {
        for (FaultKind kind : values()) {
            if (kind.wireName().equals(name)) {
                return kind;
            }
        }
        java.util.List<String> known = java.util.Arrays.stream(values()).map(FaultKind::wireName).toList();
        String wire = io.queuedeck.engine.task.WireNames.meant(name, known);
        String hint = wire == null ? "" : " (kinds are written in lower case with '_': '" + wire + "')";
        throw new IllegalArgumentException("kind: unknown fault '" + name + "'" + hint + "; known: " + known);
    }
}
