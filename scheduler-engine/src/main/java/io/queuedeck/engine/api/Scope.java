package io.queuedeck.engine.api;

import java.util.Locale;

/**
 * What a client's token lets it do (see docs/api/README.md, "Clients, tenants and scopes").
 * A client bound to a tenant uses its scopes on that tenant's tasks only; {@link #ADMIN} is never
 * bound and may do everything.
 */
public enum Scope {
    /** Submit tasks ({@code POST /v1/tasks}, {@code POST /v1/tasks:batch}) and cancel its tenant's tasks. */
    SUBMIT,
    /** Read its tenant's tasks, the queue summary and its tenant's callback dead letters. */
    READ,
    /** Reprioritize and cancel its tenant's tasks, pause, resume and drain queues, replay its tenant's callbacks. */
    OPERATE,
    /** Everything, on every tenant's tasks and dead letters; has no tenant binding. */
    ADMIN;

    /** The name used in config files and error messages: {@code submit}, {@code read}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope named {@code key} in a config file, or null when there is none. */
    public static Scope byKey(String key) {
        for (Scope scope : values()) {
            if (scope.key().equals(key)) {
                return scope;
            }
        }
        return null;
    }
}
