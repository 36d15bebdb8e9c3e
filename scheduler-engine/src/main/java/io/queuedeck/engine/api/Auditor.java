package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.audit.AuditTrail;

/**
 * Records each state-changing call in the audit trail (decision 0041), once the engine has
 * accepted it: who (the client's name; {@code anonymous} and the caller's address on a server
 * without tokens), what, to what, how many tasks.
 */
final class Auditor {
    private final AuditTrail trail;

    Auditor(AuditTrail trail) {
        this.trail = trail;
    }

    void record(Context ctx, String action, String target, int tasks, String detail) {
        trail.record(actor(ctx), "api", action, target, tasks, detail);
    }

    static String actor(Context ctx) {
        Client client = TaskAccess.client(ctx);
        return client != null ? client.policy().name() : "anonymous@" + ctx.ip();
    }
}
