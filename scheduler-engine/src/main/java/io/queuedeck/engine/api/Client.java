package io.queuedeck.engine.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.LongSupplier;

/** One authenticated client: its token, its policy and its token bucket (engine clock time). */
final class Client {
    private final byte[] token;
    private final ClientPolicy policy;
    private final TokenBucket bucket;
    private final Map<String, String> namespaces;

    /** @param namespaces the id prefix of each tenant a configured client is bound to, and that tenant */
    Client(String token, ClientPolicy policy, Map<String, String> namespaces, LongSupplier nanos) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.policy = policy;
        this.namespaces = namespaces;
        this.bucket = policy.requestsPerSecond() > 0 ? new TokenBucket(policy.requestsPerSecond(), policy.burst(), nanos) : null;
    }

    ClientPolicy policy() {
        return policy;
    }

    boolean owns(byte[] given) {
        return MessageDigest.isEqual(given, token);
    }

    /** Takes one request from the bucket; answers 0 when allowed, else the seconds until one is allowed. */
    long acquire() {
        return bucket == null ? 0 : bucket.acquire(1);
    }

    /** Its rate, or null when it has none. */
    RateLimit rate() {
        return bucket == null ? null : new RateLimit(policy.requestsPerSecond(), policy.burst());
    }

    /** Gives back the request {@link #acquire} took, when a wider bucket refused it after all. */
    void refund() {
        if (bucket != null) {
            bucket.refund(1);
        }
    }

    /** Refuses pausing, resuming or draining queues to a client with a priority cap: it would steer every tenant's work. */
    void checkMayControlQueues() {
        if (policy.mostUrgentPriority() > 0) {
            throw new ApiException(403, "queue_control_not_allowed", "client '" + policy.name() + "' may use priorities "
                    + policy.mostUrgentPriority() + " to 9 only; pausing, resuming and draining queues needs a client"
                    + " without a priority cap");
        }
    }

    /** The tenant it is bound to, or null when it may see every tenant's tasks. */
    String tenant() {
        return policy.tenant();
    }

    /**
     * The bound tenant whose id namespace {@code id} is in (its prefix up to the first ':', decision
     * 0075), or null: such an id is that tenant's to choose, whoever submits it.
     */
    String namespaceOwner(String id) {
        int colon = id.indexOf(':');
        return colon < 0 ? null : namespaces.get(id.substring(0, colon + 1));
    }

    /** Whether it may use {@code scope}: an admin or a client without scopes may do everything. */
    boolean may(Scope scope) {
        return policy.legacy() || policy.scopes().contains(Scope.ADMIN) || policy.scopes().contains(scope);
    }

    /** Refuses with 403 {@code scope_missing} unless it has one of {@code scopes}. */
    void require(String what, Scope... scopes) {
        for (Scope scope : scopes) {
            if (may(scope)) {
                return;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Scope scope : scopes) {
            names.append(names.isEmpty() ? "" : " or ").append('\'').append(scope.key()).append('\'');
        }
        throw new ApiException(403, "scope_missing", "client '" + policy.name() + "' may not " + what + ": that needs"
                + " the scope " + names + ", it has " + policy.scopes().stream().map(Scope::key).sorted().toList());
    }

    /** Whether a task of {@code taskTenant} is this client's to see and touch. */
    boolean sees(String taskTenant) {
        return policy.tenant() == null || policy.tenant().equals(taskTenant);
    }

    /**
     * Refuses a priority more urgent than this client may use; one outside 0–9 is left to the
     * task's validation, which answers it as invalid input (400) whoever sends it.
     */
    void checkPriority(String field, int priority) {
        if (priority >= io.queuedeck.engine.task.TaskSpec.MIN_PRIORITY && priority < policy.mostUrgentPriority()) {
            throw new ApiException(403, "priority_not_allowed", "this client may use priorities "
                    + policy.mostUrgentPriority() + " to 9, got " + priority, field, java.util.List.of());
        }
    }
}
