package io.queuedeck.engine.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.task.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The API's JSON mapper, strict on input (no silent coercion of "5" to 5 or 5.5 to 5, no unknown
 * fields, no trailing garbage, bounded nesting), and the translation of every Jackson failure into
 * a 400 that names the field.
 */
final class Json {
    /** Deepest nesting a request may have; a task needs 3. */
    static final int MAX_DEPTH = 32;
    /** Longest number a request may hold, in characters: a long has 19 digits. */
    static final int MAX_NUMBER_LENGTH = 64;

    static final ObjectMapper MAPPER = mapper();

    private Json() {}

    private static ObjectMapper mapper() {
        // A shared buffer pool rather than Jackson's default per-thread one: with virtual threads every
        // request runs on a fresh thread, and per-thread buffers would be allocated (8 KB+) every time.
        JsonFactory factory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .addModule(new SimpleModule("instants-are-strings").addDeserializer(Instant.class, new InstantText()))
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build());
        // Numbers and booleans are not strings: {"input": 5} is a client bug, not "5".
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return mapper;
    }

    /**
     * An instant only from its ISO-8601 text: Jackson's own reads a number as seconds since 1970,
     * so a client's {"deadline": 5} or 1e300 became 1970 (or overflowed to it) and timed the task
     * out at once instead of being refused.
     */
    private static final class InstantText extends StdScalarDeserializer<Instant> {
        InstantText() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                return (Instant) context.handleUnexpectedToken(Instant.class, parser);
            }
            return InstantDeserializer.INSTANT.deserialize(parser, context);
        }
    }

    /** Parses {@code body} as a {@code type}; any failure is a 400 naming the field. */
    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw new ApiException(400, "malformed_json", "the request body is empty; a JSON object is required");
        }
        String notUnicode = notUnicode(body);
        if (notUnicode != null) {
            throw new ApiException(400, "malformed_json", notUnicode);
        }
        T value;
        // the parser is closed only after the failure is read: a mismatch then still knows the value it stopped at
        try (JsonParser parser = MAPPER.createParser(body)) {
            try {
                value = MAPPER.readValue(parser, type);
            } catch (IOException e) {
                throw translate(e);
            }
        } catch (IOException closing) {
            throw new java.io.UncheckedIOException(closing); // a parser over a byte array has nothing to close
        }
        if (value == null) { // the body "null": no object, as an array or a string is none
            throw new ApiException(400, "malformed_json", "the body is null; a JSON object is required");
        }
        return value;
    }

    /**
     * Why {@code body}'s text is not Unicode (invalid UTF-8, or an escaped lone surrogate), or null
     * when it is: the same rule for the task API and the front door.
     */
    static String notUnicode(byte[] body) {
        if (!wellFormedUtf8(body)) {
            return "the body is not valid UTF-8 (RFC 3629: no overlong forms, no surrogates)";
        }
        int lone = loneSurrogateEscape(body);
        if (lone >= 0) {
            return "the body holds " + new String(body, lone, 6, StandardCharsets.US_ASCII)
                    + " without its pair (at byte " + lone + "): a lone surrogate is no Unicode character (RFC 8259 section 8.2),"
                    + " and it would break a strict reader of every page that shows it";
        }
        return null;
    }

    /**
     * Where {@code body} escapes a UTF-16 surrogate that is not half of a pair ({@code "\\ud800"}
     * alone), or -1. Raw surrogates are refused as invalid UTF-8; escaped, the parser takes them,
     * and the string would go out again in answers, listings and callbacks. Costs one pass over the
     * bytes, and nothing for a body without a backslash beyond that pass.
     */
    static int loneSurrogateEscape(byte[] body) {
        for (int i = 0; i < body.length - 1; i++) {
            if (body[i] != '\\') {
                continue;
            }
            if (body[i + 1] != 'u') {
                i++; // an escaped character, a backslash included
                continue;
            }
            int c = hex4(body, i + 2);
            if (c >= 0xD800 && c <= 0xDBFF) {
                int low = i + 6 + 1 < body.length && body[i + 6] == '\\' && body[i + 7] == 'u' ? hex4(body, i + 8) : -1;
                if (low < 0xDC00 || low > 0xDFFF) {
                    return i;
                }
                i += 11; // the pair
            } else if (c >= 0xDC00 && c <= 0xDFFF) {
                return i;
            } else {
                i += 5;
            }
        }
        return -1;
    }

    /** The four hex digits at {@code at} as a number, or -1 (the parser then names what is wrong). */
    private static int hex4(byte[] body, int at) {
        if (at + 4 > body.length) {
            return -1;
        }
        int value = 0;
        for (int k = at; k < at + 4; k++) {
            int digit = Character.digit(body[k], 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /**
     * Whether {@code body} is UTF-8 as RFC 3629 has it. The JSON parser decodes an overlong form
     * ({@code C0 AF} as "/") as if it were valid, which lets a byte-matching filter in front be
     * bypassed; ASCII bodies, the common case, cost one pass over the bytes.
     */
    static boolean wellFormedUtf8(byte[] body) {
        int i = 0;
        while (i < body.length && body[i] >= 0) {
            i++;
        }
        if (i == body.length) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body, i, body.length - i));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    private static final byte[] ACCEPTED_HEAD = "{\"task_id\":\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@code {"task_id":"…","state":"…"}}, byte for byte what {@link #write} makes of
     * {@code Routes.Accepted}, without a generator: the answer to every submission.
     */
    static byte[] accepted(String taskId, TaskState state) {
        for (int i = 0; i < taskId.length(); i++) {
            if (Character.isSurrogate(taskId.charAt(i))) { // Jackson writes a surrogate pair as two escapes: its answer
                return write(new Routes.Accepted(taskId, state));
            }
        }
        byte[] id = JsonStringEncoder.getInstance().quoteAsUTF8(taskId);
        String name = state.name();
        byte[] out = new byte[ACCEPTED_HEAD.length + id.length + 11 + name.length() + 2];
        System.arraycopy(ACCEPTED_HEAD, 0, out, 0, ACCEPTED_HEAD.length);
        int at = ACCEPTED_HEAD.length;
        System.arraycopy(id, 0, out, at, id.length);
        at += id.length;
        at = ascii("\",\"state\":\"", out, at);
        at = ascii(name, out, at);
        ascii("\"}", out, at);
        return out;
    }

    private static int ascii(String text, byte[] out, int at) {
        for (int i = 0; i < text.length(); i++) {
            out[at++] = (byte) text.charAt(i);
        }
        return at;
    }

    /** A Jackson failure as a client error: the path of the field and what was expected there. */
    static ApiException translate(IOException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String field = ApiException.shorten(path(u.getPath()));
            return ApiException.invalid(field, "unknown field '" + field + "'");
        }
        if (e instanceof InvalidFormatException f) {
            String field = path(f.getPath());
            return ApiException.invalid(field, field + " must be " + expected(f.getTargetType())
                    + ", got " + describe(f.getValue()));
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidNullException n && !n.getPath().isEmpty()) {
            String field = path(n.getPath());
            return ApiException.invalid(field, field + " is null; give it a value or leave it out");
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = path(m.getPath());
            return ApiException.invalid(field, field + " must be " + expected(m.getTargetType()) + sent(m));
        }
        if (trailing(e)) {
            return new ApiException(400, "malformed_json", AFTER_THE_OBJECT + where((JsonProcessingException) e) + "; send one object");
        }
        if (e instanceof MismatchedInputException m) {
            return new ApiException(400, "malformed_json", "the body must be a JSON object");
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof InputCoercionException c && !m.getPath().isEmpty()
                && fieldOf(c.getProcessor()) == null) { // read from a tree, whose parser knows no place: the mapping's path does
            return outOfRange(path(m.getPath()), c);
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof IOException cause && cause != e) {
            ApiException inner = translate(cause);
            String outer = path(m.getPath());
            boolean innerIsWithin = inner.field() != null && inner.field().startsWith(outer);
            boolean betweenEntries = inner.field() == null && inner.getMessage().contains(" (after "); // says where itself
            return m.getPath().isEmpty() || innerIsWithin || betweenEntries ? inner : ApiException.invalid(outer, inner.getMessage());
        }
        if (e instanceof InputCoercionException c) {
            return outOfRange(fieldOf(c.getProcessor()), c);
        }
        if (e instanceof StreamConstraintsException c) {
            String limit = c.getMessage() == null ? "" : c.getMessage();
            return new ApiException(400, "malformed_json", limit.contains("nesting") ? "the body is nested more than " + MAX_DEPTH + " levels deep"
                    : limit.startsWith("Number") ? "a number in the body has more than " + MAX_NUMBER_LENGTH + " digits"
                    : limit.startsWith("Name") ? "a field name in the body is longer than the parser takes (50,000 characters)"
                    : "a value in the body is longer than the parser takes");
        }
        if (e instanceof JsonProcessingException p && p.getOriginalMessage() != null
                && p.getOriginalMessage().startsWith("Duplicate field '")) {
            String message = p.getOriginalMessage();
            String key = message.substring("Duplicate field '".length(), Math.max("Duplicate field '".length(), message.lastIndexOf('\'')));
            String at = fieldOf(p.getProcessor()); // where the parser was: the key itself, or (reading a tree) nothing
            String field = ApiException.shorten(at == null ? key : at);
            return ApiException.invalid(field, field + " is given twice" + where(p) + "; give each field once");
        }
        if (e instanceof JsonProcessingException p) {
            String original = p.getOriginalMessage();
            // Jackson counts the next array entry on reaching the punctuation after one: name the one before
            boolean pastEntry = original != null && (original.contains("was expecting comma to separate Array entries")
                    || original.startsWith("Unexpected character (']'") && original.contains("expected a"));
            String field = fieldOf(p.getProcessor(), pastEntry);
            String words = "the body is not valid JSON" + where(p) + ": " + plain(original);
            if (field != null && (pastEntry || betweenEntries(original))) {
                // the field's value was whole: the fault is what follows it, so the field is where, not what
                return new ApiException(400, "malformed_json", words + " (after " + field + ")");
            }
            return new ApiException(400, "malformed_json", words, field, List.of());
        }
        return new ApiException(400, "malformed_json", "the body could not be read as JSON");
    }

    /**
     * Whether the parser's complaint is about the punctuation between entries or a body cut short
     * after a whole value ({@code "x",}}, {@code "x" "y"}, {@code "x"]}), rather than about a value
     * itself (a bad number, escape or token, or a string left open).
     */
    private static boolean betweenEntries(String original) {
        if (original == null) {
            return false;
        }
        if (original.startsWith("Unexpected end-of-input")) {
            return !original.contains("string value") && !original.contains("escape") && !original.contains("VALUE_STRING");
        }
        return original.contains("was expecting comma to separate") || original.contains("was expecting double-quote to start field name")
                || original.startsWith("Unexpected close marker");
    }

    /** A number beyond its type, said as its field's range, by the field's own name wherever it stands ("tasks[0].max_tokens"). */
    private static ApiException outOfRange(String field, InputCoercionException c) {
        String range = field == null ? null : TaskSpecValidator.range(field.substring(field.lastIndexOf('.') + 1));
        if (range != null) {
            return ApiException.invalid(field, field + " must be " + range + ", got " + numberText(c));
        }
        return ApiException.invalid(field, (field == null ? "a number" : field)
                + " is out of range for " + expected(c.getTargetType()) + ", got " + numberText(c));
    }

    private static final java.util.regex.Pattern OUT_OF_RANGE = java.util.regex.Pattern.compile("^Numeric value \\((.{1,100}?)\\) out of range");

    /** The number the parser complained of, as the client wrote it, from the parser's message. */
    private static String numberText(InputCoercionException e) {
        java.util.regex.Matcher m = OUT_OF_RANGE.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
        return m.find() ? m.group(1) : "a number out of range";
    }

    /**
     * An optional flag: left out is false, true or false as given; {@code null} or anything else is
     * a 400 naming it. A script's unset variable ({@code "dry_run": null}) turned a preview into the
     * action itself when null read as "no".
     */
    static boolean flag(String field, JsonNode value) {
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid(field, field + " must be true or false (or left out), got "
                    + ApiException.shorten(value.toString()));
        }
        return value.booleanValue();
    }

    private static final String AFTER_THE_OBJECT = "the body holds more after its JSON object";

    /** Whether the parser stopped at something after the one value a body may hold ({@code {}{}}). */
    private static boolean trailing(IOException e) {
        return e instanceof MismatchedInputException m && m.getOriginalMessage() != null
                && m.getOriginalMessage().startsWith("Trailing token");
    }

    /** " at line L, column C" where the parser stopped, or nothing when it does not say. */
    private static String where(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /**
     * The parser's reason in words for a client: its first line, without advice about the parser's
     * own switches ("enable `JsonReadFeature...`") or Java class names, which only help an attacker.
     */
    static String plain(String message) {
        String line = message == null ? "" : message.lines().findFirst().orElse("");
        int advice = line.indexOf(": enable");
        if (advice < 0) {
            advice = line.indexOf("; enable");
        }
        if (advice >= 0) {
            line = line.substring(0, advice);
        }
        line = ourWords(line);
        // where the parser was: "(start marker at [Source: REDACTED (`StreamReadFeature…` disabled); line: 1, column: 1])"
        line = line.replaceAll("\\s*\\(start marker at \\[Source:.*?; line: (\\d+), column: (\\d+)\\]\\)",
                " (opened at line $1, column $2)");
        line = line.replaceAll("\\s*at \\[Source:.*?; line: (\\d+), column: (\\d+)\\]", " at line $1, column $2");
        line = line.replaceAll("`?\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$.]*`?", "a value");
        line = line.replaceAll("\\(for [^)]*\\)", "");
        // the parser's hints name its features: "(not recognized as one since Feature 'ALLOW_COMMENTS' not enabled …)"
        line = line.replaceAll("\\s*\\([^)]*Feature\\b[^)]*\\)", "").trim();
        return line.isEmpty() ? "malformed" : line;
    }

    /** The parser's common complaints, said in the words of this API's other errors (the location is kept). */
    private static final List<Map.Entry<java.util.regex.Pattern, String>> PHRASES = List.of(
            Map.entry(java.util.regex.Pattern.compile("^Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\): has to be escaped"
                    + " using backslash to be included in (?:string value|name)"), "a control character (code $1) must be escaped inside a string"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\('/' \\(code 47\\)\\): maybe a \\(non-standard\\) comment\\?"),
                    "a comment: JSON has none"),
            Map.entry(java.util.regex.Pattern.compile("^Non-standard token '([^']*)'.*?(?= at line|$)"), "$1 is not a JSON number"),
            Map.entry(java.util.regex.Pattern.compile("^Unrecognized token '([^']*)': was expecting \\([^)]*\\)"),
                    "'$1' is not a JSON value (a string needs double quotes)"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code \\d+\\)\\): was expecting double-quote to start field name"),
                    "$1 where a field name in double quotes was expected"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code \\d+\\)\\): was expecting comma to separate (Object|Array) entries"),
                    "$1 where a comma between entries was expected"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code \\d+\\)\\): was expecting a colon to separate field name and value"),
                    "$1 where a colon after the field name was expected"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected end-of-input[^:]*:?.*?(?= at line|$)"), "the body ends before its JSON does"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code [^)]*\\)\\) in numeric value: expected digit.*"),
                    "$1 after a minus sign, where a digit was expected"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code [^)]*\\)\\) in numeric value: Decimal point.*"),
                    "$1 after a decimal point, where a digit was expected"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code [^)]*\\)\\) in numeric value: Exponent.*"),
                    "$1 after an exponent's e, where a digit was expected"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\('\\+' \\(code 43\\)\\) in numeric value.*"),
                    "a number may not start with '+'"),
            Map.entry(java.util.regex.Pattern.compile("^Invalid numeric value: Leading zeroes not allowed.*"),
                    "a number may not start with a zero (1, not 01)"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code [^)]*\\)\\): expected a hex-digit.*"),
                    "$1 in a \\\\u escape, which takes four hex digits"),
            Map.entry(java.util.regex.Pattern.compile("^Unrecognized character escape ('.+?') \\(code [^)]*\\).*"),
                    "a backslash before $1, which is not a JSON escape"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected close marker ('.'): no open .*"), "$1 closes nothing"),
            Map.entry(java.util.regex.Pattern.compile("^Unexpected close marker ('.'): expected ('.').*"), "$1 where $2 was expected"),
            // any other character out of place; the parser's own list of what it expected is its wording, not ours
            Map.entry(java.util.regex.Pattern.compile("^Unexpected character \\(('.+?') \\(code [^)]*\\)\\).*"),
                    "$1 where a value was expected"));

    private static String ourWords(String line) {
        for (Map.Entry<java.util.regex.Pattern, String> phrase : PHRASES) {
            java.util.regex.Matcher m = phrase.getKey().matcher(line);
            if (m.find()) {
                return m.replaceFirst(phrase.getValue());
            }
        }
        return line;
    }

    /** Field names come from the client: echo at most 100 characters of one. */

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String fieldOf(Object processor) {
        return fieldOf(processor, false);
    }

    /** The parser's place as a field path; {@code pastEntry}: its innermost array has counted one entry too many. */
    private static String fieldOf(Object processor, boolean pastEntry) {
        if (!(processor instanceof JsonParser parser)) {
            return null;
        }
        Deque<String> parts = new ArrayDeque<>();
        JsonStreamContext innermost = parser.getParsingContext();
        for (JsonStreamContext context = innermost; context != null && !context.inRoot();
             context = context.getParent()) {
            if (context.inArray()) {
                int index = context.getCurrentIndex() - (pastEntry && context == innermost ? 1 : 0);
                parts.push("[" + Math.max(0, index) + "]");
            } else if (context.getCurrentName() != null) {
                parts.push("." + context.getCurrentName());
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 instant such as 2030-01-01T00:00:00Z";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object ({\"key\": value, …})"; // its values' type is not known here: metadata's are strings, a fault's numbers
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    /** ", got …" for the value a mismatch stopped at, where its parser still knows it; else nothing. */
    private static String sent(MismatchedInputException m) {
        if (!(m.getProcessor() instanceof JsonParser parser) || parser.currentToken() == null) {
            return "";
        }
        try {
            return switch (parser.currentToken()) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> ", got " + ApiException.shorten(parser.getText());
                case VALUE_STRING -> ", got '" + ApiException.shorten(parser.getText()) + "'";
                case START_OBJECT -> ", got an object";
                case START_ARRAY -> ", got an array";
                default -> "";
            };
        } catch (IOException unreadable) {
            return "";
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String text = ApiException.shorten(String.valueOf(value));
        return value instanceof String ? "'" + text + "'" : text;
    }
}
