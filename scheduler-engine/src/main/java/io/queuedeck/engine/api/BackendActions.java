package io.queuedeck.engine.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.List;

/**
 * {@code POST /v1/backends:drain|offline|online} with {@code {"url": ...}}: the same actions as on
 * one instance, on every instance of one inference server (one per model it serves), which is what
 * an operator restarting or upgrading that server needs.
 */
final class BackendActions {
    private static final List<String> VERBS = List.of("drain", "offline", "online");

    private final Engine engine;
    private final EngineAnswers answers;
    private final InstanceActions instances;
    private final BodyReader bodies;

    BackendActions(Engine engine, EngineAnswers answers, InstanceActions instances, BodyReader bodies) {
        this.engine = engine;
        this.answers = answers;
        this.instances = instances;
        this.bodies = bodies;
    }

    /** The backend and its instances after an action. */
    record BackendAnswer(String url, List<InstanceRoutes.Instance> instances) {}

    void register(Javalin app, Auditor auditor) {
        for (String verb : VERBS) {
            app.post("/v1/backends:" + verb, ctx -> {
                BackendAnswer answer = act(ctx, verb);
                Routes.json(ctx, 200, answer);
                auditor.record(ctx, "backend." + verb, answer.url(), 0, null);
            });
        }
    }

    private BackendAnswer act(Context ctx, String verb) {
        InstanceActions.requireOperator(ctx);
        String url = url(ctx);
        List<InstanceStatus> all = answers.await(engine.send(new Command.TakeSnapshot())).instances();
        List<Integer> ids = BackendLoad.instancesAt(all, url);
        if (ids.isEmpty()) {
            List<String> known = all.stream().filter(i -> i.backend() != null).map(i -> i.backend().url()).distinct().toList();
            throw new ApiException(404, "not_found", known.isEmpty()
                    ? "no backend at '" + url + "': this server runs simulated GPUs, not inference servers"
                    : "no backend at '" + url + "'; backends: " + known, "url", List.of());
        }
        for (int id : ids) {
            instances.apply(id, verb, Auditor.actor(ctx));
        }
        EngineSnapshot after = answers.await(engine.send(new Command.TakeSnapshot()));
        List<InstanceRoutes.Instance> now = InstanceRoutes.instances(after).instances();
        return new BackendAnswer(all.get(ids.getFirst()).backend().url(), ids.stream().map(now::get).toList());
    }

    /** The body of an action: which server. */
    record Target(String url) {}

    /** The largest body an action takes: a URL. */
    private static final int MAX_BODY = 16 * 1024;

    private String url(Context ctx) {
        Routes.requireJson(ctx);
        String url = bodies.read(ctx, MAX_BODY, bytes -> Json.read(bytes, Target.class)).url();
        if (url == null || url.isBlank()) {
            throw ApiException.invalid("url", "url is required: the backend's base URL, as GET /v1/instances shows it");
        }
        return url;
    }
}
