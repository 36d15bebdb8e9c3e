package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Who is asking: each {@code /v1} request must present a known token as
 * {@code Authorization: Bearer <token>} (401 otherwise), within its client's rate (429), and an
 * address that keeps sending wrong tokens is slowed down (429 {@code too_many_failed_logins}).
 * In distributed mode a client's rate holds for the cluster: after this node's own bucket, each
 * request takes a token from the client's bucket in the shared queue (decision 0120); while that
 * cannot be reached, this node's bucket alone counts. Probes and scrapers ({@code /healthz},
 * {@code /readyz}, {@code /metrics}) need none.
 */
final class BearerAuth {
    private final List<Client> clients;
    private final AuthThrottle throttle;
    private final SharedTasks cluster;

    /**
     * @param tokens  each token and its holder's policy; none leaves the server open (loopback only)
     * @param cluster the shared queue whose buckets hold clients' rates across nodes, or null
     */
    BearerAuth(Map<String, ClientPolicy> tokens, LongSupplier nanos, SharedTasks cluster) {
        Map<String, String> namespaces = new HashMap<>();
        tokens.values().stream().map(ClientPolicy::tenant).filter(Objects::nonNull)
                .forEach(tenant -> namespaces.put(TaskAccess.prefix(tenant), tenant));
        List<Client> known = new ArrayList<>();
        tokens.forEach((secret, policy) -> known.add(new Client(secret, policy, Map.copyOf(namespaces), nanos)));
        this.clients = List.copyOf(known);
        this.throttle = new AuthThrottle(nanos);
        this.cluster = cluster;
    }

    /** True when no token is set: every request is let through. */
    boolean open() {
        return clients.isEmpty();
    }

    /** Lets the request through with its {@link Routes#CLIENT} set, or throws the refusal. */
    void check(Context ctx) {
        if (clients.isEmpty() || isOpen(ctx.path())) {
            return;
        }
        String address = ctx.req().getRemoteAddr();
        String header = ctx.header("Authorization");
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : null;
        Client client = null;
        if (given != null) {
            for (Client candidate : clients) {
                if (candidate.owns(given)) {
                    client = candidate;
                }
            }
        }
        long locked = throttle.waitOf(address);
        if (locked > 0 && (client == null || !throttle.vouchedFor(address, client))) {
            throttle.refusedWhileSlowed(address);
            throw slowDown(ctx, locked); // a hit by a guesser reads as a miss
        }
        if (locked == 0) {
            throttle.notSlowed(address);
        }
        if (client == null) {
            long wait = throttle.failed(address, given);
            if (wait > 0) {
                throw slowDown(ctx, wait);
            }
            ctx.header("WWW-Authenticate", "Bearer realm=\"queuedeck\"");
            throw new ApiException(401, "unauthorized", header == null
                    ? "this server requires 'Authorization: Bearer <token>'" : "the bearer token is not valid");
        }
        throttle.succeeded(address, client);
        long waitSeconds = client.acquire();
        boolean acrossNodes = false;
        if (waitSeconds == 0 && cluster != null && client.rate() != null) {
            waitSeconds = clusterWait(client);
            acrossNodes = waitSeconds > 0;
        }
        if (waitSeconds > 0) {
            ctx.header("Retry-After", Long.toString(waitSeconds));
            throw new ApiException(429, "rate_limited", "client '" + client.policy().name()
                    + "' is over its rate of " + client.policy().requestsPerSecond() + " requests/s"
                    + (acrossNodes ? " across the cluster's nodes" : ""));
        }
        ctx.attribute(Routes.CLIENT, client);
    }

    /** The wait the client's bucket in the shared queue asks; 0 when it cannot be reached (this node's bucket counted). */
    private long clusterWait(Client client) {
        long wait;
        try {
            wait = cluster.takeRequest(client.policy().name(), client.rate());
        } catch (StoreUnavailableException e) {
            return 0;
        }
        if (wait > 0) {
            client.refund(); // refused across the cluster: the request was not served here either
        }
        return wait;
    }

    private static ApiException slowDown(Context ctx, long seconds) {
        ctx.header("Retry-After", Long.toString(seconds));
        return new ApiException(429, "too_many_failed_logins", "too many requests with a wrong or missing token from"
                + " this address; retry in " + seconds + " s");
    }

    /** Liveness, readiness and metrics stay reachable without a token, for probes and scrapers. */
    private static boolean isOpen(String path) {
        return path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics");
    }
}
