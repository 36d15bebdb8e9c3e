package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.fault.ActiveFault;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import io.queuedeck.engine.task.FieldError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /v1/faults}: list, inject and clear faults, and the kill switch (operate scope). Bodies
 * are small and only operators send them, so they are read whole.
 */
final class FaultRoutes {
    /** Largest body of an injection. */
    private static final int MAX_BODY = 16 * 1024;
    /** The longest self-clearing fault, in seconds: 7 days. */
    static final double MAX_DURATION_S = 7 * 24 * 3600;

    private final FaultCatalogue faults;
    private final BodyReader bodies;

    FaultRoutes(FaultCatalogue faults, BodyReader bodies) {
        this.faults = faults;
        this.bodies = bodies;
    }

    /**
     * The body of {@code POST /v1/faults}. A field or parameter sent null (a script's unset variable) is refused
     * naming it: read as left out, a null target was the whole node and a null duration no end.
     */
    record Injection(String kind, String target, @JsonSetter(contentNulls = Nulls.FAIL) Map<String, Double> parameters,
                     @JsonProperty("duration_s") Double durationSeconds) {
        /** Refuses a field sent null, which the record cannot tell from one left out. */
        static Injection read(byte[] bytes) {
            Injection injection = Json.read(bytes, Injection.class);
            Json.read(bytes, com.fasterxml.jackson.databind.JsonNode.class).properties().forEach(field -> {
                if (field.getValue().isNull()) {
                    throw ApiException.invalid(field.getKey(), field.getKey() + " is null; give it a value or leave it out");
                }
            });
            return injection;
        }
    }

    /** A fault in force, as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FaultBody(String id, String kind, String target, Map<String, Double> parameters,
                     @JsonProperty("duration_s") Double durationSeconds, @JsonProperty("started_at") String startedAt,
                     @JsonProperty("ends_at") String endsAt, String label) {
        static FaultBody of(ActiveFault f) {
            FaultSpec spec = f.spec();
            return new FaultBody(f.id(), spec.kind().wireName(), spec.radius().toString(), new TreeMap<>(spec.parameters()),
                    spec.duration() == null ? null : spec.duration().toMillis() / 1000.0, f.startedAt().toString(),
                    f.endsAt() == null ? null : f.endsAt().toString(), f.label());
        }
    }

    /** One entry of the catalogue: a kind, the targets it may hit and its parameters' defaults. */
    record KindBody(String kind, List<String> targets, Map<String, Double> parameters) {}

    /** {@code GET /v1/faults}. */
    record Listing(boolean armed, List<FaultBody> faults, List<KindBody> catalogue) {}

    void register(Javalin app) {
        app.get("/v1/faults", this::list);
        app.post("/v1/faults", this::inject);
        app.delete("/v1/faults", this::clearAll);
        app.delete("/v1/faults/{id}", this::clear);
        app.get("/v1/faults/{id}", this::one); // where the Location of an injection points
        app.post("/v1/faults:disarm", ctx -> {
            TaskAccess.requireUnbound(ctx, "pull the fault kill switch", Scope.OPERATE);
            faults.disarm(Auditor.actor(ctx));
            faults.awaitKept(); // the answer promises it outlives a restart
            Routes.json(ctx, 200, listing());
        });
        app.post("/v1/faults:arm", ctx -> {
            TaskAccess.requireUnbound(ctx, "re-arm fault injection", Scope.OPERATE);
            faults.arm(Auditor.actor(ctx));
            faults.awaitKept();
            Routes.json(ctx, 200, listing());
        });
    }

    private void list(Context ctx) {
        TaskAccess.require(ctx, "list faults", Scope.READ, Scope.OPERATE);
        Listing all = listing();
        Routes.json(ctx, 200, new Listing(all.armed(), all.faults().stream().filter(shownTo(TaskAccess.client(ctx))).toList(),
                all.catalogue()));
    }

    /**
     * Which faults {@code client} sees: all, unless it is bound to a tenant, which does not learn other
     * tenants' names, nor anyone's callback hosts, from the targets.
     */
    private static java.util.function.Predicate<FaultBody> shownTo(Client client) {
        if (client == null || client.tenant() == null) {
            return f -> true;
        }
        String own = "tenant:" + client.tenant();
        return f -> !f.target().startsWith("tenant:") && !f.target().startsWith("host:") || f.target().equals(own);
    }

    private static ApiException notInForce(String id) {
        return new ApiException(404, "not_found", "no fault '" + Json.plain(ApiException.shorten(id)) + "' is in force");
    }

    /** {@code GET /v1/faults/{id}}: the fault while it is in force, as the list shows it to this client; else 404. */
    private void one(Context ctx) {
        TaskAccess.require(ctx, "list faults", Scope.READ, Scope.OPERATE);
        String id = ctx.pathParam("id");
        FaultBody fault = listing().faults().stream().filter(f -> f.id().equals(id)).filter(shownTo(TaskAccess.client(ctx)))
                .findFirst().orElseThrow(() -> notInForce(id));
        Routes.json(ctx, 200, fault);
    }

    private Listing listing() {
        List<KindBody> kinds = Arrays.stream(FaultKind.values())
                .map(k -> new KindBody(k.wireName(), k.scopes().stream().map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).toList(),
                        new TreeMap<>(k.defaults())))
                .toList();
        return new Listing(faults.armed(), faults.active().stream().map(FaultBody::of).toList(), kinds);
    }

    private void inject(Context ctx) {
        TaskAccess.requireUnbound(ctx, "inject faults", Scope.OPERATE);
        Routes.requireJson(ctx);
        // read as every body is: bounded in time, and a client gone mid-body a 400 (this read answered 500)
        Injection injection = bodies.read(ctx, MAX_BODY, Injection::read);
        if (injection.kind() == null) {
            throw ApiException.invalid("kind", "kind is required; one of " + Arrays.stream(FaultKind.values()).map(FaultKind::wireName).toList());
        }
        if (injection.durationSeconds() != null && !(injection.durationSeconds() >= 0.001
                && injection.durationSeconds() <= MAX_DURATION_S)) {
            // an end past the clock's range would overflow it once the fault is in force (decision 0086); below a
            // millisecond the duration rounds to none, which the catalogue refused naming "duration", not this field
            throw ApiException.invalid("duration_s", "duration_s must be at least 0.001 and at most " + (long) MAX_DURATION_S
                    + " (7 days; leave it out for a fault that lasts until cleared), got " + injection.durationSeconds());
        }
        ActiveFault fault;
        try {
            FaultSpec spec = new FaultSpec(FaultKind.parse(injection.kind()),
                    injection.target() == null ? BlastRadius.NODE : BlastRadius.parse(injection.target()), injection.parameters(),
                    injection.durationSeconds() == null ? null : Duration.ofMillis(Math.round(injection.durationSeconds() * 1000)));
            fault = faults.inject(spec, Auditor.actor(ctx));
        } catch (io.queuedeck.engine.fault.TooManyFaultsException e) {
            throw new ApiException(409, "too_many_faults", e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiException(409, "faults_disarmed", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        ctx.header("Location", "/v1/faults/" + fault.id());
        Routes.json(ctx, 201, FaultBody.of(fault));
    }

    private void clear(Context ctx) {
        TaskAccess.requireUnbound(ctx, "clear faults", Scope.OPERATE);
        String id = ctx.pathParam("id");
        if (!faults.clear(id, Auditor.actor(ctx))) {
            throw notInForce(id);
        }
        ctx.status(204);
    }

    private void clearAll(Context ctx) {
        TaskAccess.requireUnbound(ctx, "clear faults", Scope.OPERATE);
        Routes.json(ctx, 200, Map.of("cleared", faults.clearAll(Auditor.actor(ctx))));
    }

    /** Every problem of a refused spec ("field: message" lines) as one 400 with field details. */
    private static ApiException invalid(String message) {
        List<FieldError> details = new ArrayList<>();
        for (String line : message.split("\n")) {
            int colon = line.indexOf(": ");
            details.add(new FieldError(colon < 0 ? "" : line.substring(0, colon), colon < 0 ? line : line.substring(colon + 2)));
        }
        FieldError first = details.getFirst();
        return new ApiException(400, "invalid_field", message.replace("\n", "; "), first.field().isEmpty() ? null : first.field(), details);
    }
}
