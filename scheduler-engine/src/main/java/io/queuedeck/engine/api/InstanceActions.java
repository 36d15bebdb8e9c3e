package io.queuedeck.engine.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/instances/{id}:drain|offline|online}: an operator takes a backend model (or a
 * simulated GPU) out of service before restarting its server, and puts it back. Draining lets its
 * open requests finish; offline closes them and queues their tasks again; online ends both.
 */
final class InstanceActions {
    private final Engine engine;
    private final EngineAnswers answers;
    private final BodyReader bodies;
    private final FaultCatalogue faults;

    /** @param faults whose crash faults an operator's online or offline takes over; null when this server has none */
    InstanceActions(Engine engine, EngineAnswers answers, BodyReader bodies, FaultCatalogue faults) {
        this.engine = engine;
        this.answers = answers;
        this.bodies = bodies;
        this.faults = faults;
    }

    void register(Javalin app, Auditor auditor) {
        app.post("/v1/instances/{action}", ctx -> {
            Routes.json(ctx, 200, act(ctx));
            auditor.record(ctx, "instance." + ctx.pathParam("action").substring(ctx.pathParam("action").lastIndexOf(':') + 1),
                    ctx.pathParam("action"), 0, null);
        });
        new BackendActions(engine, answers, this, bodies).register(app, auditor);
    }

    /** Only an operator of the whole server may take capacity away: an instance serves every tenant. */
    static void requireOperator(Context ctx) {
        TaskAccess.require(ctx, "drain, take offline or bring online instances", Scope.OPERATE);
        Client client = TaskAccess.client(ctx);
        if (client != null && (client.tenant() != null || client.policy().mostUrgentPriority() > 0)) {
            throw new ApiException(403, "instance_control_not_allowed", "client '" + client.policy().name()
                    + "' is bound to a tenant or a priority cap; draining and taking instances offline needs a client"
                    + " without either");
        }
    }

    /** Applies the action and answers the instance as it is afterwards. */
    InstanceRoutes.Instance act(Context ctx) {
        requireOperator(ctx);
        String action = ctx.pathParam("action");
        int colon = action.lastIndexOf(':');
        // as written, like /v1/backends:…: "OFFLINE" or "+1" would be audited as spelt, and missed by a search
        String verb = colon < 0 ? "" : action.substring(colon + 1);
        QueueRoutes.nearMiss("action", verb, java.util.List.of("drain", "offline", "online")); // decision 0141
        if (!verb.equals("drain") && !verb.equals("offline") && !verb.equals("online")) {
            throw new ApiException(404, "not_found", "unknown instance action '" + ApiException.shorten(action)
                    + "'; use POST /v1/instances/{id}:{drain|offline|online}");
        }
        int id = instanceId(action.substring(0, colon));
        apply(id, verb, Auditor.actor(ctx));
        // the published snapshot may predate the command: answer from a fresh one
        EngineSnapshot after = answers.await(engine.send(new Command.TakeSnapshot()));
        return InstanceRoutes.instances(after).instances().get(id);
    }

    /** {@code verb} (drain, offline, online) on instance {@code id}, by {@code actor}. */
    void apply(int id, String verb, String actor) {
        if (faults != null && !verb.equals("drain")) { // first: a crash's end between the two would undo the operator's choice
            faults.handBack(id, actor);
        }
        switch (verb) {
            case "drain" -> run(new Command.DrainInstance(id, true), "drain");
            case "offline" -> run(new Command.SetInstanceOnline(id, false), "take offline");
            default -> {
                EngineSnapshot before = answers.await(engine.send(new Command.TakeSnapshot()));
                if (before.instances().get(id).draining()) {
                    run(new Command.DrainInstance(id, false), "end the drain of");
                }
                run(new Command.SetInstanceOnline(id, true), "bring online");
            }
        }
    }

    private int instanceId(String text) {
        int count = answers.await(engine.send(new Command.TakeSnapshot())).instances().size();
        int id;
        try {
            if (!text.matches("0|[1-9][0-9]{0,8}")) { // the plain number only: no sign, leading zero or other script's digits
                throw new NumberFormatException(text);
            }
            id = Integer.parseInt(text);
        } catch (NumberFormatException notANumber) {
            throw new ApiException(404, "not_found", "no instance '" + ApiException.shorten(text) + "': instances are numbered 0 to "
                    + (count - 1) + " (GET /v1/instances)");
        }
        if (id < 0 || id >= count) {
            throw new ApiException(404, "not_found", "no instance " + id + ": instances are numbered 0 to " + (count - 1)
                    + " (GET /v1/instances)");
        }
        return id;
    }

    private void run(Command<?> command, String what) {
        CompletableFuture<?> done = engine.send(command);
        try {
            answers.await(done);
        } catch (UnsupportedOperationException e) { // the simulated GPUs cannot drain
            throw new ApiException(409, "not_supported", "cannot " + what + " this instance: " + e.getMessage());
        }
    }

    /** Path segments come from the client: echo at most 100 characters of one. */
}
