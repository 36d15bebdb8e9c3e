package io.queuedeck.engine.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * What one bearer token may do.
 *
 * @param name                a label for logs and metrics (never the token itself)
 * @param mostUrgentPriority  the most urgent priority this client may submit or set (0 allows all)
 * @param requestsPerSecond   sustained request rate; 0 means unlimited
 * @param burst               requests it may make at once above the sustained rate
 * @param tenant              the one tenant whose tasks it submits, sees and touches; null for every tenant
 * @param scopes              what it may do; null for a client configured before scopes existed, which may do
 *                            everything on every tenant's tasks (it then has no tenant)
 */
public record ClientPolicy(String name, int mostUrgentPriority, double requestsPerSecond, int burst, String tenant,
                           Set<Scope> scopes) {
    /** Shortest bearer token accepted: 32 bytes, so a token cannot be guessed in any number of tries. */
    public static final int MIN_TOKEN_BYTES = 32;

    /** Everything allowed, on every tenant's tasks, the way clients worked before scopes. */
    public static ClientPolicy unlimited(String name) {
        return new ClientPolicy(name, 0, 0, 0);
    }

    /** A client without scopes or tenant: everything allowed, as before scopes existed. */
    public ClientPolicy(String name, int mostUrgentPriority, double requestsPerSecond, int burst) {
        this(name, mostUrgentPriority, requestsPerSecond, burst, null, null);
    }

    public ClientPolicy {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("client name must not be blank");
        }
        if (mostUrgentPriority < 0 || mostUrgentPriority > 9) {
            throw new IllegalArgumentException("most urgent priority must be between 0 and 9, got " + mostUrgentPriority);
        }
        if (requestsPerSecond < 0 || burst < 0 || requestsPerSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("a rate needs a burst of at least 1 (got rate " + requestsPerSecond
                    + ", burst " + burst + ")");
        }
        if (tenant != null && tenant.isBlank()) {
            throw new IllegalArgumentException("client '" + name + "': tenant must not be blank");
        }
        if (scopes != null) {
            if (scopes.isEmpty()) {
                throw new IllegalArgumentException("client '" + name + "': scopes must name at least one of submit, read,"
                        + " operate, admin");
            }
            scopes = Set.copyOf(EnumSet.copyOf(scopes));
        }
        if (tenant != null && scopes == null) {
            // an unscoped client may do everything: bound to a tenant, that promise could not be kept
            throw new IllegalArgumentException("client '" + name + "' is bound to tenant '" + tenant
                    + "' and needs scopes (submit, read, operate)");
        }
        if (tenant != null && scopes.contains(Scope.ADMIN)) {
            throw new IllegalArgumentException("client '" + name + "': an admin client has no tenant (it sees every"
                    + " tenant), but tenant '" + tenant + "' was given");
        }
    }

    /** A client of one tenant (or of every tenant when {@code tenant} is null) with these scopes. */
    public static ClientPolicy scoped(String name, String tenant, Set<Scope> scopes) {
        return new ClientPolicy(name, 0, 0, 0, tenant, scopes);
    }

    /** The same client with a priority cap and a request rate. */
    public ClientPolicy withLimits(int mostUrgent, double rate, int burstSize) {
        return new ClientPolicy(name, mostUrgent, rate, burstSize, tenant, scopes);
    }

    /** Whether this client was configured without scopes: it may do everything, on every tenant's tasks. */
    public boolean legacy() {
        return scopes == null;
    }
}
