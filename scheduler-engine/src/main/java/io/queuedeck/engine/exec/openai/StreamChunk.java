package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.task.Generation;
import java.io.IOException;

/**
 * The parts of one streamed chunk the executor reads: read with Jackson's streaming parser, which
 * skips what is not needed instead of building a tree of every chunk (this runs once per token
 * of every open stream; the tree was the executor's largest cost per chunk in a profile at 500
 * streams).
 *
 * @param error        the chunk's {@code error}, or null
 * @param hasChoices   whether {@code choices} is an array
 * @param piece        the first choice's text ({@code delta.content} or {@code text}), or null
 * @param finishReason the first choice's {@code finish_reason}, or null
 * @param usage        the chunk's {@code usage}, or null
 * @param working      whether the first choice's delta carries work other than text: reasoning or tool calls
 * @param answerTwice  whether {@code choices} holds choice 0 more than once, which no server sends: the
 *                     chunk as relayed would say other than what the task keeps
 * @param heldChars    characters of choice 0's {@code logprobs} object, {@code delta.tool_calls} array and
 *                     reasoning text: what a whole front-door answer keeps of the chunk besides its text
 */
record StreamChunk(JsonNode error, boolean hasChoices, String piece, String finishReason, Generation.Usage usage,
                   boolean working, boolean answerTwice, long heldChars) {

    /** The chunk in {@code data}; null when it is not a JSON object. */
    static StreamChunk parse(String data, boolean chat) throws IOException {
        try (JsonParser p = OpenAiInput.JSON.getFactory().createParser(data)) {
            p.setCodec(OpenAiInput.JSON);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonNode error = null;
            boolean hasChoices = false;
            String piece = null;
            String finish = null;
            boolean working = false;
            boolean twice = false;
            long held = 0;
            Generation.Usage usage = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "error" -> error = value == JsonToken.VALUE_NULL ? null : p.readValueAsTree();
                    case "choices" -> {
                        if (value == JsonToken.START_ARRAY) {
                            hasChoices = true;
                            boolean found = false;
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                if (p.currentToken() == JsonToken.START_OBJECT) {
                                    // the answer is choice 0 (one without an index is that one): a backend's
                                    // choice 7 first in the array was taken as the answer, mixed into it
                                    Choice read = choice(p, chat);
                                    boolean zero = read.index() == null || read.index().equals("0");
                                    if (zero && found) {
                                        twice = true;
                                    } else if (zero) {
                                        found = true;
                                        piece = read.piece();
                                        finish = read.finish();
                                        working = read.work() != null;
                                        held = read.held();
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            usage = usage(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("not one JSON object");
            }
            return new StreamChunk(error, hasChoices, piece, finish, usage, working, twice, held);
        }
    }

    /** Delta fields of work before or beside the text: a reasoning model's thinking, an agent's tool calls. */
    private static final java.util.Set<String> WORK = java.util.Set.of("reasoning_content", "reasoning", "tool_calls", "function_call");

    /**
     * What the executor reads of a choice: its text, finish reason, the name of a delta field of other
     * work or null, its index as written or null, and the characters a whole answer keeps of it
     * besides the text (its log probabilities and tool calls).
     */
    private record Choice(String piece, String finish, String work, String index, long held) {}

    /** A choice object; the parser is on its START_OBJECT and ends on its END_OBJECT. */
    private static Choice choice(JsonParser p, boolean chat) throws IOException {
        String piece = null;
        String finish = null;
        String work = null;
        String index = null;
        long held = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("index")) {
                index = value == JsonToken.VALUE_NUMBER_INT ? p.getText() : "not a whole number";
            } else if (field.equals("finish_reason")) {
                finish = value == JsonToken.VALUE_STRING ? shortWord(p.getText()) : null;
            } else if (field.equals("logprobs") && value == JsonToken.START_OBJECT) {
                long from = p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                held += p.currentLocation().getCharOffset() - from;
            } else if (chat && field.equals("delta") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String inner = p.currentName();
                    JsonToken innerValue = p.nextToken();
                    if (inner.equals("content") && innerValue == JsonToken.VALUE_STRING) {
                        piece = p.getText();
                    } else if (WORK.contains(inner)) {
                        long from = p.currentTokenLocation().getCharOffset();
                        if (carriesSomething(p, innerValue)) {
                            work = inner;
                        }
                        if (inner.equals("tool_calls") && innerValue == JsonToken.START_ARRAY
                                || inner.startsWith("reasoning") && innerValue == JsonToken.VALUE_STRING) {
                            held += p.currentLocation().getCharOffset() - from; // a whole answer keeps thinking too
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else if (!chat && field.equals("text") && value == JsonToken.VALUE_STRING) {
                piece = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return new Choice(piece, finish, work, index, held);
    }

    /**
     * Whether the value the parser is on holds anything (servers send {@code "tool_calls": []} and
     * {@code "reasoning_content": ""} beside plain text); leaves the parser on the value's last token.
     */
    private static boolean carriesSomething(JsonParser p, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_STRING -> !p.getText().isEmpty();
            case START_ARRAY -> {
                boolean any = false;
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    any = true;
                    p.skipChildren();
                }
                yield any;
            }
            case START_OBJECT -> {
                p.skipChildren();
                yield true;
            }
            default -> false;
        };
    }

    /** The most of a finish reason kept: OpenAI's are single words, and the task keeps it as long as itself. */
    static final int MAX_FINISH_REASON_CHARS = 64;

    private static String shortWord(String text) {
        return text.length() <= MAX_FINISH_REASON_CHARS ? text : text.substring(0, MAX_FINISH_REASON_CHARS);
    }

    private static Generation.Usage usage(JsonParser p) throws IOException {
        Integer prompt = null;
        Integer completion = null;
        Integer total = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            // a count below zero is no count: it would be stored, reported and summed as one
            Integer n = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                    && p.getIntValue() >= 0 ? p.getIntValue() : null;
            switch (field) {
                case "prompt_tokens" -> prompt = n;
                case "completion_tokens" -> completion = n;
                case "total_tokens" -> total = n;
                default -> p.skipChildren();
            }
        }
        return new Generation.Usage(prompt, completion, total);
    }
}
