package io.queuedeck.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.task.TaskView;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/** {@code stream} false: the chunks gathered into one {@code chat.completion} or {@code text_completion}. */
final class WholeAnswer implements OpenAiFrontDoor.Answer {
    /**
     * How long a whole answer writes nothing before its first keep-alive (decision 0020's addendum):
     * the space commits a 200, after which a failure can only be an error body that OpenAI clients
     * do not raise, and a backend's refusal or a failure after retries mostly comes within this.
     * A client that leaves meanwhile is noticed by a read at each quiet interval, not by this.
     */
    static final java.time.Duration QUIET = java.time.Duration.ofSeconds(5);
    private static final byte[] SPACE = {' '};
    private final Context ctx;
    private final boolean chat;
    private final String model;
    private final String taskId;
    private OutputStream out;
    private String id;
    private long created;
    private String servedModel;
    private JoinedChoice joined = new JoinedChoice();
    private final EngineClock clock;
    private long begunAt;
    private boolean pipelined;

    WholeAnswer(Context ctx, boolean chat, String model, String taskId, long now, EngineClock clock) {
        this.created = now;
        this.clock = clock;
        this.ctx = ctx;
        this.chat = chat;
        this.model = model;
        this.taskId = taskId;
    }

    @Override
    public void begin() {
        out = null; // nothing is sent until there is something to say, or a keep-alive is due
        begunAt = clock.nanos();
    }

    @Override
    public void keepAlive() throws IOException {
        if (left()) {
            throw new EofException("the client closed its connection before its answer");
        }
        if (clock.nanos() - begunAt < QUIET.toNanos()) {
            return; // nothing committed yet: a refusal or a failure in these seconds keeps its own status
        }
        // Leading whitespace is valid JSON: it commits a 200, but it is the only way to notice
        // that a client waiting for a whole answer has gone (decision 0020).
        open(200).write(SPACE);
        out.flush();
    }

    /**
     * Whether the client has closed its connection, learnt without writing: a read that does not wait.
     * Its body is all read and a client sends nothing after a POST until it has its answer (RFC 9112,
     * 9.3.2), so a read finds the connection's end or nothing. One that pipelines anyway has a byte
     * taken that the server will not parse: the connection then closes after this answer.
     */
    private boolean left() {
        if (pipelined) {
            return false;
        }
        Request request = Request.getBaseRequest(ctx.req());
        EndPoint endPoint = request == null || request.getHttpChannel() == null ? null : request.getHttpChannel().getEndPoint();
        if (endPoint == null) {
            return false;
        }
        try {
            ByteBuffer probe = BufferUtil.allocate(1);
            int read = endPoint.fill(probe);
            if (read > 0) {
                pipelined = true;
                if (endPoint.getConnection() instanceof HttpConnection http) {
                    http.getGenerator().setPersistent(false);
                }
            }
            return read < 0;
        } catch (IOException e) {
            return true; // reset by the peer
        }
    }

    @Override
    public boolean chunk(String data) {
        try {
            JsonNode chunk = OpenAiFrontDoor.JSON.readTree(data);
            if (id == null) {
                id = chunk.path("id").asText(null);
                created = chunk.path("created").asLong(created);
                servedModel = chunk.path("model").asText(null);
            }
            joined.add(chunk); // text is joined by the executor; what else a choice carries, here
        } catch (IOException e) {
            // the executor checked every chunk; keep the defaults
        }
        return false;
    }

    @Override
    public void restart() {
        id = null;
        servedModel = null;
        joined = new JoinedChoice();
    }

    @Override
    public void finished(ClientStream.Event.Finished f) throws IOException {
        var g = f.generation();
        // written as it is serialized: its log probabilities may be millions of characters, not copied twice more
        OpenAiFrontDoor.JSON.writeValue(open(200), answer(f.text(), g.finishReason(), g.usage() == null ? null : OpenAiFrontDoor.JSON.valueToTree(g.usage())));
        out.close(); // the response ends now: the client need not wait for the request's thread
    }

    @Override
    public void failed(int status, String code, String message) throws IOException {
        if (status == 503 && out == null) {
            ctx.res().setHeader("Retry-After", "1"); // not started (queue timeout, a stop): shed, as a refusal at the door is
        }
        write(status, OpenAiFrontDoor.error(status, code, message, null));
    }

    @Override
    public void simulated(TaskView view) throws IOException {
        ObjectNode usage = OpenAiFrontDoor.JSON.createObjectNode().put("prompt_tokens", view.spec().promptTokens())
                .put("completion_tokens", view.generatedTokens())
                .put("total_tokens", view.spec().promptTokens() + view.generatedTokens());
        write(200, answer(view.output(), "stop", usage).toString());
    }

    private ObjectNode answer(String text, String finishReason, JsonNode usage) {
        ObjectNode body = OpenAiFrontDoor.JSON.createObjectNode();
        body.put("id", id != null ? id : (chat ? "chatcmpl-" : "cmpl-") + taskId);
        body.put("object", chat ? "chat.completion" : "text_completion");
        body.put("created", created);
        body.put("model", servedModel != null ? servedModel : model);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        if (chat) {
            joined.message(choice.putObject("message"), text);
        } else {
            choice.put("text", text);
        }
        joined.logprobs(choice);
        choice.put("finish_reason", finishReason == null ? "stop" : finishReason);
        if (usage != null) {
            ObjectNode u = body.putObject("usage");
            u.set("prompt_tokens", usage.get("prompt_tokens"));
            u.set("completion_tokens", usage.get("completion_tokens"));
            u.set("total_tokens", usage.get("total_tokens"));
        }
        return body;
    }

    private void write(int status, String json) throws IOException {
        open(status).write(json.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private OutputStream open(int status) throws IOException {
        if (out == null) {
            ctx.attribute(ErrorResponses.ERROR_WRITTEN, Boolean.TRUE); // a backend's 404 or 405: no API body after it
            ctx.res().setStatus(status);
            ctx.res().setContentType("application/json");
            out = ctx.res().getOutputStream();
        }
        return out;
    }
}
