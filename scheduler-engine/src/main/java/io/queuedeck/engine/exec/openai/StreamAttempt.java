package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.Timer;
import io.queuedeck.engine.task.Generation;
import io.queuedeck.engine.task.Task;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;

/**
 * One run of one task on one backend: reads its server-sent events on the HTTP client's thread
 * (one stream's events arrive in order on one thread at a time), keeps the text and the token
 * times, relays chunks to a front-door listener, and reports to the loop only through
 * {@link OpenAiExecutor}'s posts: the first token once, and the outcome once.
 */
final class StreamAttempt extends EventSourceListener {
    /**
     * The longest answer a task keeps, in characters, whatever its {@code max_tokens}: a task's
     * answer stays in memory while it runs, while its callback is sent and while it is remembered.
     */
    static final int MAX_ANSWER_CHARS = 1 << 20;
    /** Characters allowed per token asked for: a token is a few characters, the longest a few dozen. */
    static final int CHARS_PER_TOKEN = 64;
    /**
     * Pieces of text an attempt takes beyond the tokens it asked for: a server sends a token or more
     * per piece, and a few more pieces cover a prompt echoed back or a character split over two.
     * Every piece counts, whitespace included, as it counts as progress (decision 0135): a server
     * that ignores {@code max_tokens} a space at a time ends here, not at the total timeout. Pieces of
     * other work (reasoning, tool calls) count too: they are tokens of the answer, which servers count
     * in {@code max_tokens}, and they too are progress (decision 0140).
     */
    static final int PIECES_BEYOND_ASKED = 16;
    /**
     * How long the body may go on after the answer's end (choice 0's {@code finish_reason}, or
     * {@code [DONE]}) before the connection is given up: the usage chunk and the sentinel follow
     * the finish at once.
     */
    private static final long AFTER_END_MILLIS = 1_000;

    final Task task;
    final int instance;
    private final OpenAiExecutor owner;
    private final boolean chat;
    private final StreamListener relay;
    private final EngineClock clock;
    private final String backendUrl;
    private final BackendState backend;
    /** Tokens its instance received, counted as they arrive (the instance's rate). */
    private final java.util.concurrent.atomic.LongAdder streamed;

    // Loop-thread state.
    long sentAt;
    /** Chunked generation: tokens and text of the chunks before this one, tokens asked for (0: not chunked), the task's limit. */
    int tokensBefore;
    String textBefore = "";
    int chunkLimit;
    Integer tokenLimit;
    /** This chunk ended and the next has not been sent: nothing is open on the server. */
    boolean betweenChunks;
    /** The loop has heard of this attempt's first token; until then a snapshot does not count its tokens. */
    boolean firstTokenHeard;
    Timer firstTokenTimer;
    Timer totalTimer;
    /** After the first sign of work: fires when the backend has sent no token for the first-token timeout. */
    Timer silenceTimer;
    /** When the backend last sent a token or other work (tool calls, reasoning); written by the stream thread. */
    volatile long lastSignAt;

    private volatile EventSource source;
    final EventLineLimit.BodyTimeout bodyTimeout = new EventLineLimit.BodyTimeout();
    private volatile boolean ended;
    /** A whole answer's chunks so far, in characters (stream thread). */
    private long heldChars;
    /** Whether the backend has shown work other than text (reasoning, tool calls) yet (stream thread). */
    private boolean working;
    /**
     * How many characters of stream a whole answer may take per character of its text's limit: the
     * chunks' envelopes, tool calls and log probabilities (20 alternatives a token fit many times over).
     */
    static final long HELD_PER_ANSWER_CHAR = 32;
    /** What this attempt's whole answer holds of {@link OpenAiExecutor#wholeAnswers}; given back at its end. */
    private final java.util.concurrent.atomic.AtomicLong budgeted = new java.util.concurrent.atomic.AtomicLong();

    // Stream-thread state: events of one source never run concurrently.
    private final StringBuilder text = new StringBuilder();
    private String finishReason;
    private Generation.Usage usage;
    private volatile int tokens; // read on the loop too (tokensSoFar)
    /** Chunks of reasoning or tool calls without text, counted against the tokens asked for with the text's. */
    private int workPieces;
    private volatile int relayed; // read on the loop too (clientHoldsPart)
    private long firstAt = -1;
    private long lastAt = -1;
    private long gapNanos;
    private int refusedStatus;
    /** A chunked front-door answer: the finishing chunk and the usage chunk wait until the chunk's end says whether more follows. */
    private boolean seamless;
    private String heldFinish;
    private boolean heldFinishHasText;
    private String heldUsage;

    StreamAttempt(OpenAiExecutor owner, Task task, BackendInstance instance, boolean chat, StreamListener relay, EngineClock clock) {
        this.owner = owner;
        this.task = task;
        this.instance = instance.id;
        this.chat = chat;
        this.relay = relay;
        this.clock = clock;
        this.backend = instance.backend;
        this.streamed = instance.streamed;
        this.backendUrl = backend.config.baseUrl().toString();
    }

    void start(EventSource.Factory factory, okhttp3.Request request) {
        seamless = relay != null && chunkLimit > 0; // set on the loop before the stream's thread starts
        source = factory.newEventSource(request, this);
    }

    /** Closes the stream; whatever the HTTP client reports afterwards is ignored. Any thread. */
    void cancel() {
        ended = true;
        letGo();
        EventSource s = source;
        if (s != null) {
            s.cancel();
        }
    }

    /** Tokens this attempt has received so far (read on the loop while it streams). */
    int tokensSoFar() {
        return tokens;
    }

    /**
     * Whether a front-door client already holds part of this attempt's answer: run again, it would
     * hear that part twice. Read on the loop after {@link #cancel}, which stops any further relay.
     */
    boolean clientHoldsPart() {
        return relay != null && relay.passesChunksOn() && relayed > 0;
    }

    /**
     * Ends a cancelled attempt whose client holds part of its answer: the client's stream ends with
     * {@code why}, and the task fails without a retry. Loop thread.
     */
    String cutOff(String why) {
        String reason = why + " after " + chunks(relayed) + " of its answer " + (relayed == 1 ? "was" : "were")
                + " relayed to the client: not run again,"
                + " which would repeat them";
        relay.attemptFailed(reason, false, 0);
        return reason;
    }

    @Override
    public void onEvent(EventSource eventSource, String id, String type, String data) {
        if (ended) {
            return;
        }
        if (data.strip().equals("[DONE]")) {
            succeed();
            // Not cancelled: that would close the connection, and every request would open a new
            // one (at 500 streams, most of the front door's overhead). The body normally ends right
            // after the sentinel and the connection goes back to the pool; a server that keeps it
            // open, silent or sending comments, gets a second to end it, after which the connection is dropped.
            afterTheEnd();
            return;
        }
        data = LoneSurrogates.repaired(data); // before anything keeps or relays it
        if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
            // an event sent as several data lines arrives joined by line breaks, which in one JSON value can only
            // be whitespace between tokens; relayed as they were, they ended the client's event mid-chunk
            data = data.replace('\n', ' ').replace('\r', ' ');
        }
        StreamChunk chunk;
        try {
            chunk = StreamChunk.parse(data, chat);
        } catch (IOException e) {
            fail(Outcome.Kind.STREAM, "malformed stream: an event is not JSON: " + BackendErrors.shown(data), 0);
            eventSource.cancel();
            return;
        }
        if (chunk == null) {
            fail(Outcome.Kind.STREAM, "malformed stream: an event is not a JSON object: " + BackendErrors.shown(data), 0);
            eventSource.cancel();
            return;
        }
        JsonNode error = chunk.error() != null ? chunk.error() : !chunk.hasChoices() && chunk.usage() == null ? BackendErrors.bare(data) : null;
        if (error != null && finishReason != null) {
            return; // the answer was whole at its finish: a late error does not undo it
        }
        if (error != null) {
            int code = BackendErrors.code(error);
            // as the same HTTP status would be: 401, 403, 407 refuse QueueDeck's key, not the request (decision 0123)
            boolean refused = code >= 400 && code < 500 && code != 408 && code != 429 && code != 401 && code != 403 && code != 407;
            if (refused) {
                refusedStatus = code;
            }
            fail(refused ? Outcome.Kind.REFUSED : code == 429 ? Outcome.Kind.RATE_LIMITED : Outcome.Kind.SERVER,
                    "the backend reported an error "
                    + (firstAt < 0 && !working ? "in its stream" : "mid-stream") + (refused ? " (" + code + ")" : "") + ": "
                    + BackendErrors.message(error), 0);
            eventSource.cancel();
            return;
        }
        if (!chunk.hasChoices() && chunk.usage() == null) {
            fail(Outcome.Kind.STREAM, "malformed stream: a chunk has neither choices nor usage: " + BackendErrors.shown(data), 0);
            eventSource.cancel();
            return;
        }
        if (finishReason != null && (chunk.piece() != null && !chunk.piece().isEmpty() || chunk.finishReason() != null
                || chunk.answerTwice())) {
            // the answer ended at its finish: text or a second finish after it is neither kept nor relayed, so a
            // task, a streamed and a whole front-door answer agree (they held "A", "AINJECTED" and "AINJECTEDMORE")
            if (chunk.usage() != null) {
                usage = chunk.usage();
            }
            return;
        }
        if (chunk.answerTwice()) {
            fail(Outcome.Kind.STREAM, "malformed stream: a chunk holds choice 0 twice: " + BackendErrors.shown(data), 0);
            eventSource.cancel();
            return;
        }
        if (relay != null && !relay.passesChunksOn()) {
            // a whole answer keeps the chunks' tool calls, reasoning and log probabilities, which the text's limit does not count
            heldChars += data.length();
            long held = HELD_PER_ANSWER_CHAR * answerLimit(task);
            if (heldChars > held) {
                refusedStatus = 502;
                fail(Outcome.Kind.REFUSED, "the backend sent more than " + held + " characters of stream for one answer"
                        + " (tool calls, reasoning, log probabilities): cut off", 0);
                eventSource.cancel();
                return;
            }
            if (chunk.heldChars() > 0 && !hold(chunk.heldChars())) {
                // each answer was within its own bound, but together they are what runs a heap out: refused, not
                // retried (another run needs the same room), and said as the server's state, not the backend's fault
                refusedStatus = 503;
                fail(Outcome.Kind.REFUSED, "the server holds as many characters of tool calls, reasoning and log probabilities for"
                        + " whole answers being gathered as it may (" + owner.wholeAnswers.limit() + "): ask for this"
                        + " answer streamed (stream: true), or retry later", 0);
                eventSource.cancel();
                return;
            }
        }
        if (chunk.working()) {
            if (chunk.piece() == null || chunk.piece().isEmpty()) {
                // thinking without end held its slot until the total timeout, whatever max_tokens said
                if (tooManyPieces()) {
                    return;
                }
                workPieces++;
            }
            lastSignAt = clock.nanos(); // keep-alive comments and empty chunks are no sign of work
            if (!working) {
                working = true;
                owner.reportProgress(this);
            }
        }
        String piece = chunk.piece();
        if (piece != null && !piece.isEmpty()) {
            long limit = answerLimit(task);
            if (textBefore.length() + text.length() + piece.length() > limit) {
                // a server that ignores max_tokens, or sends megabytes a token, must not fill the heap;
                // not retried: the same request would bring the same answer
                refusedStatus = 502;
                Integer asked = task.spec().maxTokens();
                fail(Outcome.Kind.REFUSED, "the backend sent more than " + limit + " characters of answer ("
                        + (asked == null ? "the most a task keeps" : "max_tokens " + asked) + "): cut off", 0);
                eventSource.cancel();
                return;
            }
            if (tooManyPieces()) {
                return;
            }
            long now = clock.nanos();
            text.append(piece);
            tokens++;
            streamed.increment();
            if (firstAt < 0) {
                firstAt = now;
                owner.reportFirstToken(this, now);
            } else {
                gapNanos += now - lastAt;
            }
            lastAt = now;
            lastSignAt = now;
            backend.lastTokenAt = now;
        }
        if (chunk.finishReason() != null) {
            finishReason = chunk.finishReason();
            afterTheEnd(); // a server that never sends [DONE] nor closes must not hold the answer until its read timeout
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        if (relay != null) {
            if (seamless) {
                relaySeamless(data, chunk, piece);
            } else {
                relayed++;
                relay.chunk(data);
            }
        }
    }

    /**
     * Relays one chunk of a chunked front-door answer so that the client reads one uninterrupted
     * stream: a continuation's role-only opening is dropped, and the finishing and usage chunks are
     * held until the end of this chunk says whether the answer goes on ({@link #succeed}).
     */
    private void relaySeamless(String data, StreamChunk chunk, String piece) {
        boolean content = piece != null && !piece.isEmpty();
        if (chunk.finishReason() != null) {
            heldFinish = data;
            heldFinishHasText = content;
        } else if (!chunk.hasChoices() || chunk.usage() != null && !content) {
            heldUsage = data;
        } else if (content || tokensBefore == 0) {
            relayed++;
            relay.chunk(data);
        }
    }

    /** Takes room for {@code chars} a whole answer keeps; false when all whole answers together have no more. */
    private boolean hold(long chars) {
        if (!owner.wholeAnswers.take(chars)) {
            return false;
        }
        budgeted.addAndGet(chars);
        if (ended) {
            letGo(); // cancelled meanwhile, on the loop
        }
        return true;
    }

    /** Gives back what the whole answer held: it was written, or never will be. Any thread; once. */
    private void letGo() {
        long chars = budgeted.getAndSet(0);
        if (chars > 0) {
            owner.wholeAnswers.give(chars);
        }
    }

    private void afterTheEnd() {
        bodyTimeout.endWithin(AFTER_END_MILLIS);
    }

    @Override
    public void onClosed(EventSource eventSource) {
        if (ended) {
            return;
        }
        if (finishReason != null) {
            succeed(); // no [DONE]: some servers just end the stream after the last chunk
        } else {
            fail(Outcome.Kind.STREAM, "malformed stream: it ended after " + tokens
                    + " tokens without a finish_reason or [DONE]", 0);
        }
    }

    @Override
    public void onFailure(EventSource eventSource, Throwable t, Response response) {
        if (ended) {
            return;
        }
        if (response != null && !response.isSuccessful()) {
            int code = response.code();
            String message = BackendErrors.ofBody(response);
            if (code >= 300 && code < 400) {
                refusedStatus = 502;
                backend.redirected(code, BackendErrors.shown(response.header("Location", "nowhere"))); // where to: the operator's log, not the tenant's answer
                fail(Outcome.Kind.REFUSED, "the backend answered with a redirect (" + code + "); redirects are not followed:"
                        + " the backend must be configured with the server's own URL (the log says where it pointed)", 0);
            } else if (code == 429) {
                fail(Outcome.Kind.RATE_LIMITED, "the backend is busy (429): " + message,
                        RetryAfter.pauseNanos(response.header("Retry-After"), Instant.now()));
            } else if (code >= 500 || code == 408) {
                fail(Outcome.Kind.SERVER, "the backend failed (" + code + "): " + message, 0);
            } else if (code == 401 || code == 403 || code == 407) {
                // QueueDeck's own credentials, not the client's request: a backend fault, tried elsewhere,
                // and never the client's status (an OpenAI client takes a 401 as its own key refused)
                backend.credentialsRefused(code);
                fail(Outcome.Kind.SERVER, "the backend refused QueueDeck's credentials (" + code + "): " + message, 0);
            } else {
                refusedStatus = code;
                fail(Outcome.Kind.REFUSED, "the backend refused the request (" + code + "): " + message, 0);
            }
        } else if (response != null && (t == null || BackendErrors.notAnEventStream(response))) {
            fail(Outcome.Kind.STREAM, "malformed stream: expected text/event-stream, got "
                    + BackendErrors.shown(response.header("Content-Type", "no content type")), 0);
        } else if (finishReason != null && !(t instanceof EventLineLimit.LineTooLong)) {
            succeed(); // the answer was whole: silence or a broken connection after its finish loses nothing
        } else if (t instanceof EventLineLimit.LineTooLong) {
            refusedStatus = 502;
            fail(Outcome.Kind.REFUSED, t.getMessage(), 0); // retried, it was the same line three times over
        } else if (t instanceof SocketTimeoutException) {
            fail(Outcome.Kind.CONNECTION, "the backend stalled: " + t.getMessage(), 0);
        } else {
            fail(Outcome.Kind.CONNECTION, "the connection to the backend failed: " + BackendErrors.why(t), 0);
        }
    }

    /**
     * Lets go of the answer's buffer once it is read: an attempt stays referenced after its end
     * (its cancelled timers keep it until they are due, up to the total timeout of 10 minutes), and
     * with answers near their bound those buffers ran a 256 MB heap out of memory.
     */
    private void release() {
        text.setLength(0);
        text.trimToSize();
    }

    /** The tokens this attempt's request asked for: its chunk's, else the task's {@code max_tokens}; null: unbounded. */
    private Integer askedTokens() {
        return chunkLimit > 0 ? Integer.valueOf(chunkLimit) : task.spec().maxTokens();
    }

    /** Fails the attempt when another piece of answer is more than the tokens asked for allow. */
    private boolean tooManyPieces() {
        if ((long) tokens + workPieces < piecesAllowed()) {
            return false;
        }
        refusedStatus = 502; // as for too many characters: the same request would bring the same answer
        fail(Outcome.Kind.REFUSED, "the backend sent more than " + piecesAllowed() + " pieces of answer for "
                + askedTokens() + " tokens asked for (it ignores max_tokens): cut off", 0);
        EventSource s = source;
        if (s != null) {
            s.cancel();
        }
        return true;
    }

    private long piecesAllowed() {
        Integer asked = askedTokens();
        return asked == null ? Long.MAX_VALUE : (long) asked + PIECES_BEYOND_ASKED;
    }

    /**
     * The most of an answer {@code task} may hold: {@value #CHARS_PER_TOKEN} characters a token asked
     * for, within {@link #MAX_ANSWER_CHARS}; without {@code max_tokens} (as OpenAI clients mostly send
     * it) the whole {@link #MAX_ANSWER_CHARS}.
     */
    static long answerLimit(Task task) {
        Integer asked = task.spec().maxTokens();
        return asked == null ? MAX_ANSWER_CHARS : Math.min(MAX_ANSWER_CHARS, 4_096L + (long) CHARS_PER_TOKEN * asked);
    }

    private static String chunks(int n) {
        return n == 1 ? "1 chunk" : n + " chunks";
    }

    private void succeed() {
        ended = true;
        Double interToken = tokens > 1 ? gapNanos / 1e6 / (tokens - 1) : null;
        Generation generation = new Generation(finishReason, usage, interToken, backendUrl);
        int counted = usage != null && usage.completionTokens() != null ? usage.completionTokens() : tokens;
        String whole = text.toString();
        release();
        Outcome.Success success = new Outcome.Success(whole, generation, counted, lastAt);
        if (relay != null && !seamless) {
            relay.finished(whole, generation);
        } else if (relay != null) {
            finishSeamless(success);
        }
        letGo(); // a whole answer was written above, on this thread
        owner.reportEnd(this, success);
    }

    /**
     * The end of one chunk of a chunked front-door answer: when more follows, the client gets this
     * chunk's last text without its {@code length} finish; at the real end, the finish, the usage
     * of every chunk together, and the whole text.
     */
    private void finishSeamless(Outcome.Success chunk) {
        if (ChunkedGeneration.continues(this, chunk)) {
            if (heldFinishHasText) {
                relay.chunk(withoutFinish(heldFinish));
            }
            return;
        }
        Generation whole = tokensBefore == 0 ? chunk.generation() : ChunkedGeneration.whole(this, chunk);
        if (heldFinish != null) {
            relay.chunk(tokensBefore == 0 || heldUsage != null ? heldFinish : withUsage(heldFinish, whole));
        }
        if (heldUsage != null) {
            relay.chunk(tokensBefore == 0 ? heldUsage : withUsage(heldUsage, whole));
        }
        relay.finished(textBefore + chunk.text(), whole);
    }

    /** {@code data} with its choices' {@code finish_reason} null: the answer goes on in the next chunk. */
    private static String withoutFinish(String data) {
        try {
            JsonNode node = OpenAiInput.JSON.readTree(data);
            for (JsonNode choice : node.path("choices")) {
                if (choice instanceof com.fasterxml.jackson.databind.node.ObjectNode c) {
                    c.putNull("finish_reason");
                }
            }
            return node.toString();
        } catch (IOException e) {
            return data; // parsed once already
        }
    }

    /** {@code data} with its {@code usage} replaced by the whole answer's, where it has one. */
    private static String withUsage(String data, Generation whole) {
        try {
            JsonNode node = OpenAiInput.JSON.readTree(data);
            if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o && o.has("usage") && whole.usage() != null) {
                o.set("usage", OpenAiInput.JSON.valueToTree(whole.usage()));
                return o.toString();
            }
        } catch (IOException e) {
            // parsed once already; keep it as it came
        }
        return data;
    }

    private void fail(Outcome.Kind kind, String reason, long retryAfterNanos) {
        ended = true;
        release();
        boolean retryable = kind != Outcome.Kind.REFUSED;
        if (retryable && (clientHoldsPart() || seamless && tokensBefore > 0)) {
            // The client has part of this answer already; a second run would repeat it.
            retryable = false;
            reason = reason + " (after " + chunks(relayed) + (relayed == 1 ? " was" : " were") + " relayed to the client)";
        }
        if (relay != null) {
            relay.attemptFailed(reason, retryable, refusedStatus);
        }
        letGo();
        owner.reportEnd(this, new Outcome.Failure(kind, reason, retryable, retryAfterNanos));
    }

    /** How an attempt ended. */
    sealed interface Outcome {
        record Success(String text, Generation generation, int tokens, long lastTokenAt) implements Outcome {}

        record Failure(Kind kind, String reason, boolean retryable, long retryAfterNanos) implements Outcome {}

        enum Kind {
            /** Reset, refused or stalled connection: counts toward marking the backend down. */
            CONNECTION,
            /** 5xx, 408, or an error event: counts toward marking the backend down. */
            SERVER,
            /** 429: the backend asks for a pause. */
            RATE_LIMITED,
            /** Another 4xx: the request itself is wrong; retrying cannot help. */
            REFUSED,
            /** The stream broke the protocol. */
            STREAM,
            /** Nobody would read the answer (a front-door client that left): not run, and no failure. */
            ABANDONED
        }
    }
}
