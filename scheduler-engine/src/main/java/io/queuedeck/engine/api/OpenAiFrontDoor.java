package io.queuedeck.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.CompletionStreams;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.task.VisibleText;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The OpenAI-compatible front door: {@code POST /v1/chat/completions}, {@code POST /v1/completions}
 * and {@code GET /v1/models} in OpenAI's wire format, so existing clients get priority scheduling
 * unchanged. A request becomes a task (priority from {@code X-Priority}, else from the priority
 * rules like a REST submission; tenant from the client's token) whose input is the request body itself; it waits its turn, and the backend's chunks are
 * relayed as they arrive ({@code stream: true}) or gathered into one answer.
 *
 * <p>Chunks are written by the thread that reads the backend's stream ({@link ClientStream}); the
 * request's own thread waits for the outcome and sends a keep-alive (an SSE comment, or a space
 * before a JSON answer) when nothing was written for a while, which is also how a client that went
 * away is noticed: a write fails, and its task is cancelled, queued or running (decision 0020).
 */
final class OpenAiFrontDoor {
    /** The paths it serves: their refusals, wherever made (authentication, rates, methods), take OpenAI's shape. */
    static final String MODEL_PATH = "/v1/models/<model>";
    static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/models", MODEL_PATH);

    /**
     * Whether a request to {@code path} is the front door's, answered in OpenAI's error shape. The
     * router takes a path with a trailing slash as the path without it, so this does too: a client
     * posting to {@code /v1/chat/completions/} got its answer, and its refusals in the REST shape.
     */
    static boolean serves(String path) {
        String routed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return PATHS.contains(routed) || routed.startsWith("/v1/models/");
    }
    /** The task-id prefix of front-door tasks, so the console and listings tell them apart. */
    static final String TASK_PREFIX = "oai-";
    static final String PRIORITY_HEADER = "X-Priority";
    static final String TASK_HEADER = "X-QueueDeck-Task";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WAITING = ": waiting\n\n".getBytes(StandardCharsets.UTF_8);

    private final Engine engine;
    private final EngineAnswers answers;
    private final BodyReader bodies;
    private final long maxBodyBytes;
    private final long timeoutNanos;
    private final int maxQueued;
    private final TenantLimiter tenants;
    private final List<String> models;
    private final CompletionStreams streams;
    private final long keepAliveNanos;
    private volatile boolean draining;
    /** The requests being answered now, so a closing server can end each with a word of why. */
    private final Set<ClientStream> open = ConcurrentHashMap.newKeySet();

    OpenAiFrontDoor(Engine engine, BodyReader bodies, long maxBodyBytes, long timeoutNanos, int maxQueued,
                    TenantLimiter tenants, List<String> models, CompletionStreams streams, long keepAliveNanos) {
        this.engine = engine;
        this.answers = new EngineAnswers(engine, timeoutNanos);
        this.bodies = bodies;
        this.maxBodyBytes = maxBodyBytes;
        this.timeoutNanos = timeoutNanos;
        this.maxQueued = maxQueued;
        this.tenants = tenants;
        this.models = List.copyOf(models);
        this.streams = streams;
        this.keepAliveNanos = keepAliveNanos;
    }

    /** Refuses new completions from now on (503 {@code shutting_down}); those under way go on. */
    void drain() {
        draining = true;
    }

    /**
     * Ends every request still being answered with 503 {@code shutting_down} in its own shape (an
     * error event on a stream, an error body on a whole answer) and cancels its task: the server is
     * closing, and a client cut off without a word would take a truncated stream for an answer.
     */
    void endOpenRequests() {
        open.forEach(ClientStream::stopped);
    }

    void register(Javalin app) {
        // a refusal is an ApiException, which ErrorResponses writes in OpenAI's shape on these paths (and counts)
        app.post("/v1/chat/completions", ctx -> complete(ctx, true));
        app.post("/v1/completions", ctx -> complete(ctx, false));
        app.get("/v1/models", this::listModels);
        app.get(MODEL_PATH, this::oneModel); // <model>: an id may hold slashes (org/name)
    }

    private void listModels(Context ctx) {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        for (String model : models) {
            data.add(model(model));
        }
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    /** {@code GET /v1/models/{model}}: one served model, or 404 {@code model_not_found} in OpenAI's shape. */
    private void oneModel(Context ctx) {
        String model = ctx.pathParam("model");
        if (!models.contains(model)) {
            throw new ApiException(404, "model_not_found", "the model '" + ApiException.shorten(model) + "' is not served here; served: "
                    + io.queuedeck.engine.exec.openai.OpenAiExecutor.named(models), "model", List.of());
        }
        ctx.status(200).contentType("application/json").result(model(model).toString());
    }

    private static ObjectNode model(String id) {
        return JSON.createObjectNode().put("id", id).put("object", "model").put("created", 0).put("owned_by", "queuedeck");
    }

    // ---------------------------------------------------------------- a completion

    private void complete(Context ctx, boolean chat) throws IOException, InterruptedException {
        if (draining) {
            throw new ApiException(503, "shutting_down", "the server is shutting down and takes no new requests;"
                    + " retry against another instance");
        }
        String contentType = ctx.header("Content-Type");
        if (!Routes.isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type", "the body must be JSON in UTF-8: send 'Content-Type: application/json'");
        }
        String raw = bodies.read(ctx, maxBodyBytes, bytes -> {
            // decoded leniently, an overlong "/" or a stray byte became a task; an escaped lone surrogate went into listings
            String notUnicode = Json.notUnicode(bytes);
            if (notUnicode != null) {
                throw new ApiException(400, "invalid_json", notUnicode);
            }
            int bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
            return new String(bytes, bom, bytes.length - bom, StandardCharsets.UTF_8); // a byte-order mark skipped, as the REST routes do
        });
        FrontDoorRequest request = FrontDoorRequest.parse(raw, chat, models);
        String model = request.model();
        boolean stream = request.stream();
        boolean usageAsked = request.usageAsked();
        Integer maxTokens = request.maxTokens();
        if (java.util.Collections.list(ctx.req().getHeaders(PRIORITY_HEADER)).size() > 1) { // the first one won, unsaid
            throw ApiException.invalid(PRIORITY_HEADER, "send one " + PRIORITY_HEADER + " header, not several");
        }
        // no header: the priority rules classify it, as a REST submission without a priority (decision 0031)
        Integer priority = FrontDoorRequest.priority(ctx.header(PRIORITY_HEADER));
        Client client = ctx.attribute(Routes.CLIENT);
        String tenant = null;
        int allowance = 0;
        if (client != null) {
            TaskAccess.require(ctx, "submit completions", Scope.SUBMIT);
            client.checkPriority(PRIORITY_HEADER, priority == null ? TaskSpec.DEFAULT_PRIORITY : priority);
            allowance = client.policy().mostUrgentPriority();
            tenant = client.tenant() != null ? client.tenant() : client.policy().name(); // a bound client's own tenant
            tenants.take(ctx, tenant, 1, null);
        }
        checkQueueRoom();

        String id = TASK_PREFIX + UUID.randomUUID();
        TaskSpec spec = new TaskSpec(id, model, raw, priority, null, tenant, null, null, maxTokens, null, request.taskMetadata(chat));
        ClientStream relay = new ClientStream(stream);
        streams.listen(id, relay); // before the task exists: it may run at once
        open.add(relay);
        try {
            long acceptBy = engine.clock().nanos() + timeoutNanos;
            io.queuedeck.engine.task.SubmitResult submitted =
                    answers.awaitSubmit(engine.send(new Command.Submit(spec, -1, acceptBy, allowance)), acceptBy);
            ctx.header(TASK_HEADER, id);
            long now = engine.clock().toInstant(engine.clock().nanos()).getEpochSecond();
            Answer answer = stream ? new Streamed(ctx, chat, usageAsked, now) : new WholeAnswer(ctx, chat, model, id, now, engine.clock());
            if (!serve(id, relay, answer)) {
                cancel(id, "the front-door client went away before its answer was finished"); // queued or running, it goes too
            }
        } finally {
            open.remove(relay);
            streams.forget(id);
            relay.close();
        }
    }

    /**
     * Waits for the task's events and hands them to {@code answer}; answers false when the client
     * went away.
     */
    private boolean serve(String id, ClientStream relay, Answer answer) throws InterruptedException {
        try {
            answer.begin();
            relay.attach(answer);
            while (true) {
                ClientStream.Event event = relay.next(keepAliveNanos);
                switch (event) {
                    case null -> {
                        if (relay.flowedSinceLastLook()) {
                            // chunks are flowing: the client is there and the task runs. No question to
                            // the loop (500 streams asked it 1,000 times a second), no keep-alive; an
                            // operator's cancel stops the chunks, and the next quiet interval sees it
                            continue;
                        }
                        // nothing written for a while (or a whole answer still gathering): first ask
                        // whether the task ended (an operator cancelled it, its queue TTL passed: a
                        // status not yet committed can still say so), then show we are here, and
                        // learn whether the client still is
                        Optional<TaskView> now = look(id);
                        if (draining && now.isPresent() && (now.get().state().isWaiting()
                                || now.get().state() == TaskState.RETRY_WAIT)) {
                            // a stopping server starts no waiting task: say so now, while it still answers,
                            // rather than close the connection on a request it will never serve
                            cancel(id, "the server was shutting down before the task started");
                            relay.last(() -> answer.failed(503, "shutting_down", "the server is shutting down and"
                                    + " will not start this request; retry against another instance"));
                            return true;
                        }
                        Optional<TaskView> fate = now.filter(v -> v.state().isFinal());
                        if (fate.isEmpty()) {
                            relay.keepAlive(answer::keepAlive);
                        }
                        if (fate.isPresent()) {
                            TaskView view = fate.get();
                            if (view.state() != TaskState.SUCCEEDED && relay.eventWaiting()) {
                                // the attempt's own end came while the loop was asked: it says more (a backend's
                                // 400 read as the task's 502 when the two crossed at a keep-alive's turn)
                                continue;
                            }
                            if (view.state() != TaskState.SUCCEEDED) {
                                relay.last(() -> answer.failed(statusOf(view.state()), switch (view.state()) {
                                    case CANCELLED -> "the task was cancelled";
                                    case TIMED_OUT -> "the task timed out before it started: " + view.error();
                                    default -> "the task failed: " + view.error();
                                }));
                                return true;
                            }
                            if (!relay.relayed()) {
                                relay.last(() -> answer.simulated(view)); // no backend stream: a simulated GPU's output
                                return true;
                            } // else it succeeded on a backend, whose Finished event is already queued
                        }
                    }
                    case ClientStream.Event.Finished f -> {
                        relay.last(() -> answer.finished(f));
                        return true;
                    }
                    case ClientStream.Event.Failed f -> {
                        if (!f.retryable()) {
                            // a backend's 499 (nginx: its client left) is not this door's 499, an operator's cancel
                            int backend = f.backendStatus();
                            if (backend == 503) { // the executor's own: whole answers together hold all they may
                                relay.last(() -> answer.failed(503, "server_busy", f.reason()));
                                return true;
                            }
                            int status = backend >= 400 && backend < 500 && backend != 499 ? backend : 502;
                            relay.last(() -> answer.failed(status, f.reason()));
                            return true;
                        } // else the engine runs it again, and this request hears the new attempt
                    }
                    case ClientStream.Event.ClientGone g -> {
                        return false;
                    }
                    case ClientStream.Event.Stopped s -> {
                        cancel(id, "the server stopped before the answer was finished (its shutdown grace period ended)");
                        relay.last(() -> answer.failed(503, "shutting_down", "the server stopped before this answer was"
                                + " finished (its shutdown grace period ended); retry against another instance"));
                        return true;
                    }
                }
            }
        } catch (IOException clientGone) {
            return false;
        }
    }

    /** The task as the loop has it now; empty if the loop is slow to answer. */
    private Optional<TaskView> look(String id) {
        try {
            return engine.send(new Command.FindTask(id)).get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception engineSlow) {
            return Optional.empty(); // ask again at the next keep-alive
        }
    }

    private void cancel(String id, String why) {
        engine.send(new Command.Cancel(id, why)).exceptionally(alreadyDone -> null);
    }

    /** The error code of a task that ended without an answer: an operator's cancel was called a backend error. */
    private static String codeOf(int status) {
        return switch (status) {
            case 499 -> "cancelled";
            case 503 -> "queue_timeout";
            default -> "backend_error";
        };
    }

    private static int statusOf(TaskState state) {
        return switch (state) {
            case CANCELLED -> 499;
            case TIMED_OUT -> 503; // left the queue at its deadline or its tier's queue_ttl (docs/flow-control.md)
            default -> 502;
        };
    }

    // ---------------------------------------------------------------- admission

    private void checkQueueRoom() {
        EngineSnapshot snapshot = engine.latestSnapshot();
        if (snapshot != null && (long) snapshot.queued() + 1 > maxQueued) {
            throw new ApiException(429, "queue_full", "the queue holds " + snapshot.queued() + " waiting tasks, its limit is "
                    + maxQueued + "; retry later");
        }
    }

    // ---------------------------------------------------------------- errors in OpenAI's shape

    /**
     * {@code {"error": {"message", "type", "param", "code"}}}: the shape OpenAI clients parse and
     * retry on. Every front-door error passes here: what the message and param quote of the
     * request has its invisible characters made visible, as in the API's own shape.
     */
    static String error(int status, String code, String message, String param) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", VisibleText.of(message));
        error.put("type", switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        });
        error.put("param", VisibleText.of(param));
        error.put("code", code);
        return body.toString();
    }

    // ---------------------------------------------------------------- how the answer is written

    /** The two ways of answering: server-sent events or one JSON body. */
    interface Answer extends ClientStream.Sink {
        void begin() throws IOException;

        void keepAlive() throws IOException;

        default void failed(int status, String message) throws IOException {
            failed(status, codeOf(status), message);
        }

        void failed(int status, String code, String message) throws IOException;

        void simulated(TaskView view) throws IOException;
    }

    /** {@code stream: true}: each backend chunk as it arrives, then {@code [DONE]}. */
    private static final class Streamed implements Answer {
        private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.UTF_8);
        private final Context ctx;
        private final boolean chat;
        private final boolean usageAsked;
        private final long now;
        private OutputStream out;

        Streamed(Context ctx, boolean chat, boolean usageAsked, long now) {
            this.ctx = ctx;
            this.chat = chat;
            this.usageAsked = usageAsked;
            this.now = now;
        }

        @Override
        public void begin() throws IOException {
            ctx.res().setStatus(200);
            ctx.res().setContentType("text/event-stream");
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no"); // proxies must not hold the stream back
            out = ctx.res().getOutputStream();
            out.write(WAITING); // headers go now: the client knows it is queued
            out.flush();
        }

        @Override
        public void keepAlive() throws IOException {
            out.write(WAITING);
            out.flush();
        }

        @Override
        public boolean chunk(String data) throws IOException {
            if (!usageAsked && data.contains("\"usage\"") && isUsageOnly(data)) {
                return false; // asked for by QueueDeck to count tokens, not by this client
            }
            // one buffer, filled without building the framed string first: this runs once per token
            byte[] payload = data.getBytes(StandardCharsets.UTF_8);
            byte[] framed = new byte[DATA_PREFIX.length + payload.length + 2];
            System.arraycopy(DATA_PREFIX, 0, framed, 0, DATA_PREFIX.length);
            System.arraycopy(payload, 0, framed, DATA_PREFIX.length, payload.length);
            framed[framed.length - 2] = '\n';
            framed[framed.length - 1] = '\n';
            out.write(framed);
            out.flush();
            return true;
        }

        @Override
        public void finished(ClientStream.Event.Finished f) throws IOException {
            out.write(DONE);
            out.close(); // the response ends now: the client need not wait for the request's thread
        }

        @Override
        public void failed(int status, String message) throws IOException {
            failed(status, codeOf(status), message); // a stream's status is committed: its code says why
        }

        @Override
        public void failed(int status, String code, String message) throws IOException {
            out.write(("data: " + error(status, code, message, null) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /**
         * A simulated GPU's answer as one chunk of the endpoint's own shape (a chat delta, or a
         * completion's text), then the usage chunk when the client asked for it, as a server sends them.
         */
        @Override
        public void simulated(TaskView view) throws IOException {
            ObjectNode choice = JSON.createObjectNode().put("index", 0);
            if (chat) {
                choice.putObject("delta").put("role", "assistant").put("content", view.output());
            } else {
                choice.put("text", view.output());
            }
            choice.putNull("logprobs").put("finish_reason", "stop");
            chunk(head(view).set("choices", JSON.createArrayNode().add(choice)).toString());
            if (usageAsked) {
                ObjectNode usage = head(view);
                usage.putArray("choices");
                usage.putObject("usage").put("prompt_tokens", view.spec().promptTokens())
                        .put("completion_tokens", view.generatedTokens())
                        .put("total_tokens", view.spec().promptTokens() + view.generatedTokens());
                chunk(usage.toString());
            }
            finished(null);
        }

        private ObjectNode head(TaskView view) {
            return JSON.createObjectNode().put("id", (chat ? "chatcmpl-" : "cmpl-") + view.id())
                    .put("object", chat ? "chat.completion.chunk" : "text_completion")
                    .put("created", now).put("model", view.spec().model());
        }

        private static boolean isUsageOnly(String data) {
            try {
                JsonNode chunk = JSON.readTree(data);
                return chunk.path("choices").isEmpty() && chunk.path("usage").isObject();
            } catch (IOException e) {
                return false;
            }
        }
    }
}
