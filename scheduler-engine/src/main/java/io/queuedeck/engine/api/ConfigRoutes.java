package io.queuedeck.engine.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.task.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code /v1/config} and {@code /v1/canary}: the running config, its versions and a canary; admin scope. */
final class ConfigRoutes {
    private static final Set<String> TEXT_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml",
            "text/x-yaml", "text/plain");

    private final ConfigService config;
    private final BodyReader bodies;
    private final long maxBodyBytes;
    private final Auditor auditor;

    ConfigRoutes(ConfigService config, BodyReader bodies, long maxBodyBytes, Auditor auditor) {
        this.config = config;
        this.bodies = bodies;
        this.maxBodyBytes = maxBodyBytes;
        this.auditor = auditor;
    }

    void register(Javalin app) {
        app.get("/v1/config", ctx -> {
            answer(ctx, "read the config", () -> config.status());
            ctx.header("ETag", "\"" + config.version() + "\""); // for If-Match on a change
        });
        app.put("/v1/config", ctx -> change(ctx, "change the config", "config.apply",
                () -> config.apply(text(ctx), source(ctx, "PUT /v1/config"), ifMatch(ctx))));
        app.get("/v1/config/history", ctx -> answer(ctx, "read the config history", () -> config.history()));
        app.post("/v1/config/rollback/{version}", ctx -> change(ctx, "roll the config back", "config.rollback", () -> {
            // One refusal for whatever is no version number, with the range there is; a number in it that is
            // not kept is the plane's 404, which names those kept.
            String text = ctx.pathParam("version");
            java.math.BigInteger number = text.matches("[0-9]+") ? new java.math.BigInteger(text) : null;
            if (number == null || number.signum() == 0 || number.bitLength() > 31) {
                throw ApiException.invalid("version", "version must be a version number from 1 to " + Integer.MAX_VALUE
                        + " (GET /v1/config/history lists those kept), got '" + ApiException.shorten(text) + "'");
            }
            int version = number.intValueExact();
            return config.rollback(version, source(ctx, "POST /v1/config/rollback/" + version), ifMatch(ctx));
        }));
        app.get("/v1/canary", ctx -> answer(ctx, "read the canary", () -> config.canary()));
        app.put("/v1/canary", ctx -> change(ctx, "start a canary", "canary.start", () -> {
            if (!Routes.isJson(ctx.header("Content-Type"))) {
                throw new ApiException(415, "unsupported_media_type", "the body must be JSON in UTF-8: send 'Content-Type: application/json'");
            }
            ConfigService.CanaryRequest request = bodies.read(ctx, maxBodyBytes,
                    bytes -> Json.read(bytes, ConfigService.CanaryRequest.class));
            if (request == null || request.config() == null || request.config().isNull()) {
                throw ApiException.invalid("config", "config is required: the candidate config file, as text or as an object");
            }
            return config.startCanary(request, source(ctx, "PUT /v1/canary"), ifMatch(ctx));
        }));
        app.post("/v1/canary/promote", ctx -> change(ctx, "promote the canary", "canary.promote",
                () -> config.promoteCanary(source(ctx, "POST /v1/canary/promote"))));
        app.post("/v1/canary/rollback", ctx -> change(ctx, "roll the canary back", "canary.rollback",
                () -> config.rollbackCanary(source(ctx, "POST /v1/canary/rollback"))));
    }

    /** A change of the running config: answered, then in the audit trail, as the console's changes are. */
    private void change(Context ctx, String what, String action, Call call) {
        Object result = answer(ctx, what, call);
        if (result instanceof ConfigService.Applied applied) {
            ctx.header("ETag", "\"" + applied.version() + "\""); // the version this answer shows, for the next If-Match
            if (!applied.newVersion()) {
                return; // the same config again is no new version, and no change to audit (as for the watched file)
            }
            auditor.record(ctx, action, "config version " + applied.version(), 0, null);
            return;
        }
        // a canary's change names the version it acted beside, as the call returned it: read now, it could be
        // the version of a PUT that landed since
        ConfigService.CanaryChange canary = (ConfigService.CanaryChange) result;
        ctx.header("ETag", "\"" + canary.version() + "\"");
        auditor.record(ctx, action, "config version " + canary.version(), 0, null);
    }

    private interface Call {
        Object run();
    }

    /** Runs {@code call} and answers with what it returned (a change's status); returns that. */
    private static Object answer(Context ctx, String what, Call call) {
        TaskAccess.require(ctx, what, Scope.ADMIN);
        Object body;
        try {
            body = call.run();
        } catch (ConfigService.Refused e) {
            List<FieldError> details = new ArrayList<>();
            for (String problem : e.problems()) { // a 404 or 409 (no such version, no canary) is of no key
                details.add(new FieldError(e.status() == 400 ? keyPath(problem) : null, problem));
            }
            throw new ApiException(e.status(), e.code(), e.problems().getFirst()
                    + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more)" : ""),
                    details.getFirst().field(), details);
        }
        Object shown = body instanceof ConfigService.Applied applied ? applied.status()
                : body instanceof ConfigService.CanaryChange canary ? canary.status() : body;
        ctx.status(200).contentType("application/json").result(Json.write(shown));
        return body;
    }

    /** The version an {@code If-Match} names ({@code "7"}, as {@code GET /v1/config}'s ETag), or null without one. */
    static Integer ifMatch(Context ctx) {
        List<String> headers = ctx.req().getHeaders("If-Match") == null ? List.of()
                : java.util.Collections.list(ctx.req().getHeaders("If-Match"));
        if (headers.isEmpty() || headers.size() == 1 && (headers.getFirst().isBlank() || headers.getFirst().strip().equals("*"))) {
            return null;
        }
        String tag = String.join(", ", headers).strip();
        if (tag.startsWith("W/")) { // If-Match compares strongly: a weak tag matches nothing (RFC 9110, 13.1.1)
            throw new ApiException(412, "version_changed", "If-Match names a weak tag (" + ApiException.shorten(tag)
                    + "), which never matches: send the ETag of GET /v1/config as it came, such as \"7\"");
        }
        if (!tag.matches("\"(0|[1-9][0-9]{0,8})\"")) {
            throw new ApiException(400, "invalid_field", "If-Match must be one ETag of GET /v1/config as it came, a version"
                    + " in quotes such as \"7\", got '" + ApiException.shorten(tag) + "'", "If-Match", List.of());
        }
        return Integer.parseInt(tag.substring(1, tag.length() - 1));
    }

    /** The body as text: YAML or JSON (YAML reads JSON too). */
    private String text(Context ctx) {
        String type = ctx.header("Content-Type");
        String bare = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!TEXT_TYPES.contains(bare) && !Routes.isJsonType(type) || type != null && !Routes.namesNoCharsetButUtf8(type)) {
            throw new ApiException(415, "unsupported_media_type", "the body must be the config file as YAML"
                    + " ('Content-Type: application/yaml') or JSON ('Content-Type: application/json'), in UTF-8");
        }
        return bodies.read(ctx, maxBodyBytes, bytes -> {
            String why = Json.notUnicode(bytes); // U+FFFD in a rule's name or match silently changed what it matched
            if (why != null) {
                throw new ApiException(400, "invalid_config", why);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        });
    }

    /** The endpoint and the client that called it, for the history. */
    private static String source(Context ctx, String endpoint) {
        Client client = TaskAccess.client(ctx);
        return endpoint + (client == null ? "" : " by " + client.policy().name());
    }

    /** {@code PUT /v1/config: policy.name must be ... (line 3)} → {@code policy.name}. */
    static String keyPath(String problem) {
        int colon = problem.indexOf(": ");
        String rest = colon < 0 ? problem : problem.substring(colon + 2);
        // a problem of the whole text names no key: "the file must be a mapping…", "not valid YAML…"
        if (WHOLE_TEXT.stream().anyMatch(rest::startsWith)) {
            return null;
        }
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }

    /** How the config readers begin a problem of the whole text rather than of one key. */
    private static final List<String> WHOLE_TEXT = List.of("the ", "not valid YAML", "cannot read ", "YAML ");

}
