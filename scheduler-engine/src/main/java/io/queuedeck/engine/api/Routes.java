package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.openai.OpenAiInput;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.store.DiskFloor;
import io.queuedeck.engine.task.FieldError;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The endpoints: parse, check, one engine command, answer. */
final class Routes {
    /** Context attribute: the authenticated {@link Client}, when tokens are configured. */
    static final String CLIENT = "queuedeck.client";
    /** Most tasks in one batch submission. */
    static final int MAX_BATCH = 1_000;
    /** A batch body may be this many times the single-task limit. */
    static final int BATCH_BODY_FACTOR = 16;
    private static final int DEFAULT_PAGE = 100;

    private final Engine engine;
    private final EngineAnswers answers;
    private final long maxBodyBytes;
    private final long timeoutNanos;
    private final EngineMetrics metrics;
    private final CallbackDispatcher callbacks;
    private final int maxQueued;
    private final boolean baseline;
    private final TenantLimiter tenants;
    private volatile boolean draining;
    private final BodyReader bodies;
    private final TaskAccess access;
    private final Auditor auditor;
    private final Listings listings;

    /** Submissions go here; the engine unless a shared queue takes them (decision 0034). */
    private Intake intake;
    private io.queuedeck.engine.fault.FaultCatalogue faults;
    private SharedTasks shared;
    /** Tasks this node does not run, read in the shared queue (distributed mode; null otherwise). */
    private SharedTaskRoutes elsewhere;
    /** The data directory's disk and its floor; null without one (in memory, Redis alone). */
    private volatile DiskFloor disk;
    /** Where a submission goes: this engine, or a shared queue's intake (decision 0034). */
    @FunctionalInterface
    private interface Intake {
        CompletableFuture<SubmitResult> submit(TaskSpec spec, long acceptBy, int allowance);
    }

    Routes(Engine engine, long maxBodyBytes, Duration timeout, EngineMetrics metrics, CallbackDispatcher callbacks,
           int maxQueued, boolean baseline, TenantLimiter tenants, BodyReader bodies) {
        this.bodies = bodies;
        this.engine = engine;
        this.maxBodyBytes = maxBodyBytes;
        this.timeoutNanos = timeout.toNanos();
        this.answers = new EngineAnswers(engine, timeoutNanos);
        this.listings = new Listings(timeoutNanos);
        this.metrics = metrics;
        this.callbacks = callbacks;
        this.maxQueued = maxQueued;
        this.baseline = baseline;
        this.tenants = tenants;
        this.access = new TaskAccess(engine, answers);
        this.intake = (spec, acceptBy, allowance) -> engine.send(new Command.Submit(spec, -1, acceptBy, allowance));
        this.auditor = new Auditor(engine.audit());
    }

    /** {@code {"tasks": [...]}}: the body of {@code POST /v1/tasks:batch}. */
    record Batch(List<TaskSpec> tasks) {}

    /** {@code 202} answer to a submission. */
    record Accepted(@JsonProperty("task_id") String taskId, TaskState state) {}

    /** One task's outcome in a batch. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BatchItem(@JsonProperty("task_id") String taskId, int status, TaskState state, ApiError.Detail error) {}

    /** A page of {@code GET /v1/tasks}. */
    record TaskList(List<TaskReport> tasks, @JsonProperty("next_cursor") String nextCursor) {}

    /** One page of the callback dead letters, oldest first; {@code next_offset} while more remain. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeadLetterPage(@JsonProperty("dead_letters") List<io.queuedeck.engine.callback.DeadLetter> deadLetters, int total,
                          @JsonProperty("next_offset") Integer nextOffset) {}

    /** Callback dead letters on one page at most. */
    static final int MAX_DEAD_LETTER_PAGE = 1_000;

    /** @param queue takes a spec and the most urgent priority its sender may use (the rules' choice is capped at it) */
    void intake(java.util.function.BiFunction<TaskSpec, Integer, CompletableFuture<SubmitResult>> queue) {
        intake = (spec, acceptBy, allowance) -> queue.apply(spec, allowance);
    }

    /** Readiness fails while the data directory's disk has less room than {@code floor}. */
    void diskFloor(DiskFloor floor) {
        disk = floor;
    }

    /** The fault catalogue whose crash faults an operator's online or offline takes over; before {@link #register}. */
    void faults(io.queuedeck.engine.fault.FaultCatalogue catalogue) {
        faults = catalogue;
    }

    /** Tasks other nodes hold are read and changed in the shared queue (distributed mode); before {@link #register}. */
    void shared(SharedTasks tasks) {
        shared = tasks;
    }

    /** A page of {@code GET /v1/tasks} with search parameters: every match counted, pages by offset. */
    record SearchList(List<TaskReport> tasks, int total, int offset, @JsonProperty("next_offset") Integer nextOffset) {}

    void register(Javalin app) {
        app.get("/healthz", this::health);
        app.get("/readyz", this::ready);
        app.post("/v1/tasks", this::submit);
        app.post("/v1/tasks:batch", this::submitBatch);
        app.get("/v1/tasks", shared == null ? this::list : ClusterRoutes.register(app, shared, auditor, this::list));
        elsewhere = shared == null ? null
                : new SharedTaskRoutes(shared, auditor, (ctx, type) -> readJson(ctx, type, maxBodyBytes));
        TaskRoutes one = new TaskRoutes(engine, answers, access, auditor, callbacks, (ctx, type) -> readJson(ctx, type, maxBodyBytes));
        app.get("/v1/tasks/{id}", elsewhere == null ? one::get : elsewhere.get(one::get));
        app.delete("/v1/tasks/{id}", elsewhere == null ? one::cancel : elsewhere.cancel(one::cancel));
        app.patch("/v1/tasks/{id}", elsewhere == null ? one::reprioritize : elsewhere.reprioritize(one::reprioritize));
        new OperatorRoutes(engine, answers, auditor, (ctx, type) -> readJson(ctx, type, maxBodyBytes), shared != null).register(app);
        new ParkedRoutes(engine, answers, auditor, (ctx, type) -> readJson(ctx, type, maxBodyBytes), listings).register(app);
        QueueRoutes queues = new QueueRoutes(engine, answers);
        app.get("/v1/queues", ctx -> {
            TaskAccess.require(ctx, "read the queues", Scope.READ, Scope.OPERATE);
            json(ctx, 200, QueueRoutes.queues(snapshot()));
        });
        app.post("/v1/queues/{action}", ctx -> {
            json(ctx, 200, queues.act(ctx));
            // as it was read, which is as it was written: only lower case is read (decisions 0137 §8, 0141)
            String action = ctx.pathParam("action");
            auditor.record(ctx, "queue." + action.substring(action.lastIndexOf(':') + 1), action, 0, null);
        });
        app.get("/v1/instances", ctx -> {
            TaskAccess.require(ctx, "read the instances", Scope.READ, Scope.OPERATE);
            json(ctx, 200, InstanceRoutes.instances(snapshot()));
        });
        new InstanceActions(engine, answers, bodies, faults).register(app, auditor); // and whole backends' (BackendActions)
        app.get("/v1/openapi.json", ctx -> ctx.status(200).contentType("application/json").result(OpenApi.document()));
        if (baseline) {
            // The benchmark's yardstick: the same server, body read, a constant answer, no engine.
            byte[] answer = Json.write(new Accepted("baseline", TaskState.QUEUED));
            app.post("/bench/noop", ctx -> {
                bodies.read(ctx, maxBodyBytes, bytes -> bytes.length);
                write(ctx, 202, answer);
            });
        }
        if (metrics != null) {
            app.get("/metrics", this::metrics);
        }
        if (callbacks != null) {
            app.get("/v1/callbacks/dead-letters", ctx -> {
                TaskAccess.require(ctx, "read callback dead letters", Scope.READ);
                int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_DEAD_LETTER_PAGE);
                int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
                List<io.queuedeck.engine.callback.DeadLetter> visible = access.visibleDeadLetters(ctx, callbacks.deadLetters());
                int end = (int) Math.min(visible.size(), (long) offset + limit);
                json(ctx, 200, new DeadLetterPage(offset >= visible.size() ? List.of() : visible.subList(offset, end),
                        visible.size(), end < visible.size() ? end : null));
            });
            app.post("/v1/callbacks/dead-letters/{id}/replay", one::replayCallback);
        }
    }

    /** From now on readiness fails and submissions are refused with 503; everything else is served. */
    void drain() {
        draining = true;
    }

    private void refuseWhileDraining() {
        if (draining) {
            throw new ApiException(503, "shutting_down", "the server is shutting down and takes no new tasks; "
                    + "send them to another instance or retry after it restarts");
        }
    }

    /** Alive while the scheduler loop runs: a dead loop answers nothing else, so a supervisor must restart. */
    private void health(Context ctx) {
        if (!engine.alive()) {
            throw new ApiException(503, "engine_down", "the scheduler loop has stopped; this process must be restarted");
        }
        json(ctx, 200, Map.of("status", "ok"));
    }

    private void ready(Context ctx) {
        if (draining) {
            throw new ApiException(503, "shutting_down", "the server is shutting down");
        }
        if (engine.storeFailing()) { // a balancer sends new work elsewhere until the store writes again
            throw new ApiException(503, "not_ready", "the task store cannot write (the server's log says why): new work would not be durable");
        }
        String shortage = disk == null ? null : disk.shortage();
        if (shortage != null) {
            throw new ApiException(503, "not_ready", shortage);
        }
        EngineSnapshot snapshot = engine.latestSnapshot();
        boolean executorUp = snapshot != null
                && snapshot.instances().stream().map(InstanceStatus::state).anyMatch(s -> s.acceptsWork());
        if (!executorUp) {
            throw new ApiException(503, "not_ready", snapshot == null
                    ? "the engine has not published its first snapshot yet" : "no executor instance is accepting work");
        }
        json(ctx, 200, Map.of("status", "ready"));
    }

    private void submit(Context ctx) {
        TaskAccess.require(ctx, "submit tasks", Scope.SUBMIT);
        refuseWhileDraining();
        TaskSpec spec = TaskAccess.stamp(ctx, readJson(ctx, TaskSpec.class, maxBodyBytes), "tenant");
        refuseWhileDraining(); // its body may have taken seconds: the stop may have begun meanwhile
        admit(ctx, spec, "", 1);
        if (spec != null && spec.tenant() != null) {
            tenants.take(ctx, spec.tenant(), 1, "tenant");
        }
        long acceptBy = engine.clock().nanos() + timeoutNanos;
        SubmitResult result = answers.awaitSubmit(intake.submit(spec, acceptBy, allowance(ctx)), acceptBy);
        TaskView task = result.task();
        if (result.created()) {
            ctx.header("Location", "/v1/tasks/" + task.id());
            write(ctx, 202, Json.accepted(task.id(), task.state()));
        } else {
            json(ctx, 200, known(ctx, task));
        }
    }

    /**
     * What GET /v1/tasks/{id} answers for a task submitted again: in distributed mode the shared queue's
     * record, or this engine's view when it runs the task here; the shared queue's answer to a
     * submission carries no timings, and a view made of it read as negative latencies.
     */
    private Object known(Context ctx, TaskView task) {
        if (elsewhere == null) {
            return report(task);
        }
        Optional<SharedTasks.Shared> record = elsewhere.record(ctx, task.id());
        if (record.isPresent()) {
            return record.get();
        }
        Optional<TaskReport> here = answers.await(engine.send(new Command.FindTask(task.id()))).map(this::report);
        if (here.isPresent()) {
            return here.get();
        }
        // leased here by a claim this node stopped waiting for: the shared record, not a view without timings
        Optional<SharedTasks.Shared> leased = elsewhere.leasedHere(ctx, task.id());
        return leased.isPresent() ? leased.get() : report(task);
    }

    /**
     * All-or-nothing validation, then one submission per task: a task refused by the engine
     * itself (an id taken by another body, a model no instance serves) gets its own status.
     */
    private void submitBatch(Context ctx) {
        TaskAccess.require(ctx, "submit tasks", Scope.SUBMIT);
        refuseWhileDraining();
        Batch batch = readJson(ctx, Batch.class, maxBodyBytes * BATCH_BODY_FACTOR);
        refuseWhileDraining();
        if (batch == null || batch.tasks() == null) {
            throw ApiException.invalid("tasks", "tasks is required: {\"tasks\": [ ... ]}");
        }
        if (batch.tasks().isEmpty() || batch.tasks().size() > MAX_BATCH) {
            throw ApiException.invalid("tasks", "tasks must hold 1 to " + MAX_BATCH + " tasks, got " + batch.tasks().size());
        }
        List<TaskSpec> specs = new ArrayList<>(batch.tasks().size());
        for (int i = 0; i < batch.tasks().size(); i++) {
            specs.add(TaskAccess.stamp(ctx, batch.tasks().get(i), "tasks[" + i + "].tenant"));
        }
        List<FieldError> errors = new ArrayList<>();
        ApiException firstRefusal = null; // a 403 first: the batch is answered as that one task would be alone
        for (int i = 0; i < specs.size(); i++) {
            TaskSpec spec = specs.get(i);
            for (FieldError error : TaskSpecValidator.errors(spec)) {
                String field = error.field().isEmpty() ? "tasks[" + i + "]" : "tasks[" + i + "]." + error.field();
                errors.add(new FieldError(field, "tasks[" + i + "]: " + error.message()));
            }
            if (spec != null) {
                try {
                    admit(ctx, spec, "tasks[" + i + "].", 0);
                } catch (ApiException e) {
                    if (e.status() != 400 && e.status() != 403) {
                        throw e;
                    }
                    if (errors.isEmpty() && e.status() == 403) {
                        firstRefusal = e;
                    }
                    errors.add(new FieldError(e.field() == null ? "tasks[" + i + "]" : e.field(), e.getMessage()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(firstRefusal != null ? 403 : 400, firstRefusal != null ? firstRefusal.code() : "invalid_field",
                    errors.getFirst().message()
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""),
                    errors.getFirst().field(), errors);
        }
        checkQueueRoom(specs.size());
        if (tenants.limitsAnyone()) {
            Map<String, Integer> perTenant = new LinkedHashMap<>();
            Map<String, Integer> firstIndex = new LinkedHashMap<>();
            for (int i = 0; i < specs.size(); i++) {
                String tenant = specs.get(i).tenant();
                if (tenant != null) {
                    perTenant.merge(tenant, 1, Integer::sum);
                    firstIndex.putIfAbsent(tenant, i);
                }
            }
            Map<String, Integer> taken = new LinkedHashMap<>();
            try {
                perTenant.forEach((tenant, n) -> {
                    tenants.take(ctx, tenant, n, "tasks[" + firstIndex.get(tenant) + "].tenant");
                    taken.put(tenant, n);
                });
            } catch (ApiException e) {
                taken.forEach(tenants::refund); // all or nothing: a refused batch costs no tenant its allowance
                throw e;
            }
        }
        List<CompletableFuture<SubmitResult>> futures = new ArrayList<>(specs.size());
        long acceptBy = engine.clock().nanos() + timeoutNanos; // one timeout for the whole batch, not one per task
        int allowance = allowance(ctx);
        for (TaskSpec spec : specs) {
            futures.add(intake.submit(spec, acceptBy, allowance));
        }
        List<BatchItem> results = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            try {
                SubmitResult result = answers.awaitSubmit(futures.get(i), acceptBy);
                results.add(new BatchItem(result.task().id(), result.created() ? 202 : 200, result.task().state(), null));
            } catch (ApiException e) {
                if (e.code().equals("engine_unresponsive")) {
                    throw e;
                }
                // an expired item was not queued (503 in its own status); the others stand
                ApiError.Detail error = e.body().error();
                if (error.field() != null) { // the task's own field, as the batch names it
                    error = new ApiError.Detail(error.code(), error.message(), "tasks[" + i + "]." + error.field(), error.details());
                }
                results.add(new BatchItem(specs.get(i).taskId(), e.status(), null, error));
            }
        }
        if (results.stream().anyMatch(item -> item.status() == 429 || item.status() == 503)) {
            ctx.header("Retry-After", "1"); // when to send the refused items again, as a 429 or 503 of their own says
        }
        json(ctx, 200, Map.of("results", results));
    }

    private void list(Context ctx) {
        TaskAccess.require(ctx, "read tasks", Scope.READ);
        String scope = ctx.queryParam("scope"); // with Redis, the cluster routes answer every scope but node
        if (scope != null && !scope.equals("node")) {
            throw ApiException.invalid("scope", "scope=" + ApiException.shorten(scope) + " needs a shared queue (serve --redis);"
                    + " this server lists its own tasks (scope=node)");
        }
        if (ctx.queryParam("tier") != null) {
            throw ApiException.invalid("tier", "tier filters the shared queue's listing (scope=cluster); this node's"
                    + " listing filters by state, tenant and the search parameters");
        }
        TaskState state = null;
        String stateParam = ctx.queryParam("state");
        if (stateParam != null && !stateParam.isEmpty() && !SearchParams.isSearch(ctx)) {
            state = SearchParams.state(stateParam);
            if (state == null) {
                throw ApiException.invalid("state", io.queuedeck.engine.task.WireNames.refusal("state", stateParam,
                        SearchParams.names()));
            }
        }
        String tenantParam = ctx.queryParam("tenant");
        String tenant = TaskAccess.listTenant(ctx, tenantParam == null || tenantParam.isEmpty() ? null : tenantParam);
        if (SearchParams.isSearch(ctx)) {
            if (ctx.queryParam("cursor") != null) { // it was read by nobody, and the first page came back
                throw ApiException.invalid("cursor", "a search pages with offset (its next_offset); cursor pages a plain"
                        + " listing (state, tenant and limit only)");
            }
            search(ctx, SearchParams.search(ctx, tenant, DEFAULT_PAGE));
            return;
        }
        int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, TaskQuery.MAX_LIMIT);
        long after = -1;
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            after = Listings.after(cursor);
            if (after == Long.MAX_VALUE) { // the largest wrapped round to the first page
                throw ApiException.invalid("cursor", "cursor is not one this server gave out");
            }
        }
        TaskQuery query = new TaskQuery(state, tenant, after, limit);
        listings.send(ctx, listings.inTurn(() -> {
            TaskPage page = answers.await(engine.send(new Command.ListTasks(query)));
            List<TaskReport> reports = Listings.fitting(page.tasks(), this::report);
            int fit = reports.size();
            long next = fit < page.tasks().size() ? page.tasks().get(fit - 1).sequence() : page.nextSequence();
            return Json.write(new TaskList(reports, next < 0 ? null : Listings.cursor(next)));
        }));
    }

    /** A search over every task (decision 0040): walked by the loop in slices, one page answered with the total. */
    private void search(Context ctx, io.queuedeck.engine.task.TaskSearch search) {
        listings.send(ctx, listings.inTurn(() -> {
            io.queuedeck.engine.task.SearchPage page = answers.await(engine.send(new Command.SearchTasks(search)));
            List<TaskReport> reports = Listings.fitting(page.tasks(), this::report);
            int fit = reports.size();
            boolean more = fit < page.tasks().size() || page.hasMore();
            return Json.write(new SearchList(reports, page.total(), page.offset(), more ? page.offset() + fit : null));
        }));
    }

    static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw ApiException.invalid(name, name + " must be an integer between " + min + " and " + max + ", got '" + text + "'");
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32_768);
        metrics.scrape(out);
        ctx.status(200).contentType(EngineMetrics.CONTENT_TYPE).result(out.toByteArray());
    }

    // ---------------------------------------------------------------- admission checks of the API

    /** The API's own admission: callback URL policy, the client's priority cap, queue room. */
    private void admit(Context ctx, TaskSpec spec, String prefix, int room) {
        if (spec == null) {
            return; // the engine's validator names the problem
        }
        if (spec.metadata() != null && spec.metadata().containsKey(OpenAiInput.FRONT_DOOR_KEY)) {
            // the executor would take the task for a front-door request whose client has left, and not run it
            throw ApiException.invalid(prefix + "metadata." + OpenAiInput.FRONT_DOOR_KEY, "metadata."
                    + OpenAiInput.FRONT_DOOR_KEY + " is set by the OpenAI front door on its own tasks; leave it out");
        }
        if (callbacks != null && spec.callbackUrl() != null) {
            Optional<String> refused = callbacks.refusal(spec.callbackUrl());
            if (refused.isPresent()) {
                throw ApiException.invalid(prefix + "callback_url", refused.get());
            }
        }
        Client client = ctx.attribute(CLIENT);
        if (client != null) {
            client.checkPriority(prefix + "priority", spec.priority() == null ? TaskSpec.DEFAULT_PRIORITY : spec.priority());
        }
        if (room > 0) {
            checkQueueRoom(room);
        }
    }

    /** The most urgent priority the caller may use: priority rules cap their choice at it (0 for any). */
    private static int allowance(Context ctx) {
        Client client = ctx.attribute(CLIENT);
        return client == null ? 0 : client.policy().mostUrgentPriority();
    }

    private void checkQueueRoom(int more) {
        EngineSnapshot snapshot = engine.latestSnapshot();
        if (snapshot != null && (long) snapshot.queued() + more > maxQueued) {
            throw new ApiException(429, "queue_full", "the queue holds " + snapshot.queued() + " waiting tasks, its limit is "
                    + maxQueued + "; retry later");
        }
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * The published snapshot, or a fresh one from the loop when none is published yet or a change
     * (an operator's pause, drain, cancel...) was answered after it was taken: a client reads what
     * it just changed, not the state of up to a snapshot interval before.
     */
    private EngineSnapshot snapshot() {
        EngineSnapshot snapshot = engine.latestSnapshot();
        return snapshot != null && snapshot.clockNanos() > engine.lastChangeNanos() ? snapshot
                : answers.await(engine.send(new Command.TakeSnapshot()));
    }

    private TaskReport report(TaskView view) {
        return TaskReport.of(view, engine.clock()::toInstant);
    }

    static void json(Context ctx, int status, Object body) {
        write(ctx, status, Json.write(body));
    }

    /**
     * Writes a JSON answer straight to the servlet response with its length, rather than through
     * Javalin's result stream (which copies every answer through a fresh 8 KB buffer).
     */
    static void write(Context ctx, int status, byte[] json) {
        InFlightRequests.closeIfStopping(ctx);
        ctx.status(status).contentType("application/json");
        ctx.res().setContentLength(json.length);
        try {
            ctx.res().getOutputStream().write(json);
        } catch (IOException e) {
            // the client went away before its answer: nobody is left to tell, and it is not a server error
        }
    }

    /** Checks the content type and the size, then parses: every failure is a 4xx. */
    private <T> T readJson(Context ctx, Class<T> type, long limit) {
        requireJson(ctx);
        return bodies.read(ctx, limit, bytes -> Json.read(bytes, type));
    }

    /** 415 unless the request's body is declared JSON in UTF-8: the rule of every endpoint that takes JSON. */
    static void requireJson(Context ctx) {
        String contentType = ctx.header("Content-Type");
        if (!isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type", "the body must be JSON in UTF-8: send 'Content-Type: application/json'"
                    + (contentType == null ? "" : ", got '" + ApiException.shorten(contentType) + "'"));
        }
    }

    /** Whether {@code contentType} is JSON the server reads: any charset it names must be UTF-8 (bodies are read as UTF-8). */
    static boolean isJson(String contentType) {
        return isJsonType(contentType) && namesNoCharsetButUtf8(contentType);
    }

    /** Whether {@code contentType} (present) names no charset or UTF-8: bodies are read as UTF-8 whatever it says. */
    static boolean namesNoCharsetButUtf8(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
            if (parameter.startsWith("charset=")) {
                String charset = parameter.substring("charset=".length()).replace("\"", "").trim();
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code contentType} names a JSON media type, whatever its parameters (what a web page of another site cannot send). */
    static boolean isJsonType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }
}
