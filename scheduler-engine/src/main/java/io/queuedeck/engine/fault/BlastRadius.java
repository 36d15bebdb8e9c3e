package io.queuedeck.engine.fault;

import java.util.Locale;
import java.util.Objects;

/**
 * What a fault hits: one GPU instance, every instance of a backend (the model it serves), one
 * tier or one tenant's traffic, one callback destination host, or the whole node. Written
 * {@code instance:2}, {@code backend:llama-2-7b}, {@code tier:core}, {@code tenant:acme},
 * {@code host:hooks.example.com} (or {@code host:NAME:PORT}) or {@code node}.
 *
 * @param scope  the kind of target
 * @param target the instance number, backend, tier or tenant name; empty for the node
 */
public record BlastRadius(Scope scope, String target) {

    /** Kinds of target, from the narrowest. */
    public enum Scope { INSTANCE, BACKEND, TIER, TENANT, HOST, NODE }

    public BlastRadius {
        Objects.requireNonNull(scope, "scope");
        target = target == null ? "" : target;
        if (scope == Scope.NODE ? !target.isEmpty() : target.isBlank()) {
            throw new IllegalArgumentException(scope == Scope.NODE ? "target: the node takes no name, got '" + target + "'"
                    : "target: " + lower(scope) + " needs a name, as in " + lower(scope) + ":NAME");
        }
        // digits of any length pass: a number past every instance is told which there are, not "no number"
        if (scope == Scope.INSTANCE && !target.matches("\\d+")) {
            throw new IllegalArgumentException("target: an instance is a number from 0, got '" + target + "'");
        }
        // names as the rest of the engine takes them: a tenant as a task's tenant field, a host as a
        // URL's host (and port), a backend as a model or server name; nothing else reaches logs or audit
        int longest = switch (scope) {
            case TENANT -> 64;
            case HOST -> 261; // 253 for the name, then :PORT
            default -> 128;
        };
        if (target.length() > longest) {
            throw new IllegalArgumentException("target: a " + lower(scope) + " name is at most " + longest
                    + " characters, got " + target.length());
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "._:/-[]".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("target: a " + lower(scope) + " name may hold only ASCII letters, digits and"
                        + " . _ : / - [ ], got character U+" + String.format(Locale.ROOT, "%04X", (int) c) + " at " + i);
            }
        }
        if (scope == Scope.HOST && target.matches(".*[^:]:\\d+") && !target.matches("[^\\[\\]]*:.*:.*")) {
            long port = Long.parseLong(target.substring(target.lastIndexOf(':') + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("target: a host's port is from 1 to 65535, got " + port);
            }
        }
        // which tiers exist is the engine's table; the fault checks the name against it when it starts
        if (scope == Scope.TIER && !io.queuedeck.engine.tier.Tier.NAME.matcher(target).matches()) { // as the config writes it
            throw new IllegalArgumentException("target: a tier is a tier's name such as core, normal or batch (lower-case"
                    + " letters, digits and '_'), got '" + target + "'");
        }
    }

    /** The whole node. */
    public static final BlastRadius NODE = new BlastRadius(Scope.NODE, "");

    public static BlastRadius instance(int id) {
        return new BlastRadius(Scope.INSTANCE, Integer.toString(id));
    }

    /** Reads {@code scope:name} or {@code node}. */
    public static BlastRadius parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("target: must be instance:N, backend:NAME, tier:NAME, tenant:NAME, host:NAME or node");
        }
        int colon = text.indexOf(':');
        String scope = (colon < 0 ? text : text.substring(0, colon)).trim();
        for (Scope s : Scope.values()) { // as strictly as the API's other enums (decision 0139): Instance:1 is refused
            if (lower(s).equals(scope)) {
                return new BlastRadius(s, colon < 0 ? "" : text.substring(colon + 1).trim());
            }
        }
        String meant = io.queuedeck.engine.task.WireNames.meant(scope,
                java.util.Arrays.stream(Scope.values()).map(BlastRadius::lower).toList());
        throw new IllegalArgumentException("target: unknown scope '" + scope + "'" + (meant != null ? " (scopes are written in lower"
                + " case: '" + meant + "')" : "") + "; use instance, backend, tier, tenant, host or node");
    }

    @Override
    public String toString() {
        return scope == Scope.NODE ? "node" : lower(scope) + ":" + target;
    }

    private static String lower(Scope scope) {
        return scope.name().toLowerCase(Locale.ROOT);
    }
}
