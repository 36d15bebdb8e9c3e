package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyName;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import io.javalin.http.Context;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSearch;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.WireNames;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Task filters as clients write them: the query parameters of {@code GET /v1/tasks} and the
 * {@code filter} object of {@code POST /v1/tasks:bulk} share one parser, so both name the same
 * fields and refuse the same values the same way.
 */
final class SearchParams {
    /** Parameters that turn a listing into a search (a plain state/tenant/cursor listing stays as it was). */
    static final List<String> SEARCH_ONLY = List.of("id", "model", "business_class", "priority", "min_priority",
            "max_priority", "min_age_ms", "max_age_ms", "q", "sort", "offset");

    /** Every parameter {@code GET /v1/tasks} reads, in one mode or another. */
    static final java.util.Set<String> LISTING = java.util.Set.of("state", "tenant", "limit", "cursor", "offset", "id", "model",
            "business_class", "q", "sort", "priority", "min_priority", "max_priority", "min_age_ms", "max_age_ms", "scope", "tier");

    private SearchParams() {}

    /**
     * The {@code filter} of a bulk body; {@code state} may be one state or a comma-separated list.
     * A field sent as null or blank is refused, never read as "any": {@code {"id": "$ID"}} with the
     * variable unset would otherwise cancel every task (leave the field out to match any).
     */
    @JsonDeserialize(using = FilterBody.Reader.class)
    record FilterBody(String id, String model, String tenant, String businessClass, String state, Integer priority,
                      Integer minPriority, Integer maxPriority, Long minAgeMs, Long maxAgeMs, String text) {

        /** The fields as sent; an explicit null is refused before they are read. */
        private record Sent(String id, String model, String tenant, @JsonProperty("business_class") String businessClass,
                            String state, Integer priority, @JsonProperty("min_priority") Integer minPriority,
                            @JsonProperty("max_priority") Integer maxPriority, @JsonProperty("min_age_ms") Long minAgeMs,
                            @JsonProperty("max_age_ms") Long maxAgeMs, String text) {}

        static final class Reader extends StdDeserializer<FilterBody> {
            Reader() {
                super(FilterBody.class);
            }

            @Override
            public FilterBody deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                JsonNode node = context.readTree(parser);
                if (node instanceof ObjectNode object) {
                    for (Map.Entry<String, JsonNode> field : object.properties()) {
                        if (field.getValue().isNull()) {
                            InvalidNullException refused = InvalidNullException.from(context, PropertyName.construct(field.getKey()), null);
                            refused.prependPath(object, field.getKey());
                            throw refused;
                        }
                    }
                }
                Sent sent = context.readTreeAsValue(node, Sent.class);
                return new FilterBody(sent.id(), sent.model(), sent.tenant(), sent.businessClass(), sent.state(), sent.priority(),
                        sent.minPriority(), sent.maxPriority(), sent.minAgeMs(), sent.maxAgeMs(), sent.text());
            }
        }

        /** Nothing but spaces of any kind, the invisible ones too (no-break, zero-width, byte order mark, NEL). */
        static boolean blank(String text) {
            return text.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                    || c == 0x200B || c == 0xFEFF || c == 0x85);
        }

        /** Refuses a text field given blank, naming it under {@code prefix}. */
        void refuseBlank(String prefix) {
            String[][] fields = {{"id", id}, {"model", model}, {"tenant", tenant}, {"business_class", businessClass},
                    {"state", state}, {"text", text}};
            for (String[] field : fields) {
                if (field[1] != null && blank(field[1])) {
                    throw ApiException.invalid(prefix + field[0], prefix + field[0]
                            + " is blank; give it a value or leave it out (a blank filter never means any)");
                }
            }
        }
    }

    /** Whether the request asks for more than the plain listing. */
    static boolean isSearch(Context ctx) {
        for (String name : SEARCH_ONLY) {
            if (ctx.queryParam(name) != null) {
                return true;
            }
        }
        String state = ctx.queryParam("state");
        return state != null && state.contains(",");
    }

    /** The search a {@code GET /v1/tasks} asks for, the tenant already narrowed for the caller. */
    static TaskSearch search(Context ctx, String tenant, int defaultLimit) {
        TaskFilter filter = filter("", ctx.queryParam("id"), ctx.queryParam("model"), tenant, ctx.queryParam("business_class"),
                ctx.queryParam("state"), intParam(ctx, "priority"), intParam(ctx, "min_priority"), intParam(ctx, "max_priority"),
                longParam(ctx, "min_age_ms"), longParam(ctx, "max_age_ms"), ctx.queryParam("q"));
        String sortParam = ctx.queryParam("sort");
        boolean descending = sortParam != null && sortParam.startsWith("-");
        String key = sortParam == null || sortParam.isEmpty() ? "submitted" : descending ? sortParam.substring(1) : sortParam;
        TaskSort sort = TaskSort.byKey(key); // exactly, as every enum of the API (decision 0141)
        if (sort == null) {
            List<String> keys = java.util.Arrays.stream(TaskSort.values()).map(TaskSort::key).toList();
            throw ApiException.invalid("sort", "sort must be one of " + keys + " (a leading - for descending), got '"
                    + ApiException.shorten(sortParam) + "'" + WireNames.hint(key, keys));
        }
        Integer offset = intParam(ctx, "offset");
        Integer limit = intParam(ctx, "limit");
        try {
            return new TaskSearch(filter, sort, descending, offset == null ? 0 : offset, limit == null ? defaultLimit : limit);
        } catch (InvalidTaskException e) {
            throw ApiException.invalid(e.errors().getFirst().field(), e.getMessage());
        }
    }

    /** The filter of a bulk body (fields named {@code filter.…} in errors), the tenant already narrowed. */
    static TaskFilter filter(FilterBody body, String tenant) {
        if (body == null) {
            throw ApiException.invalid("filter", "filter is required: {\"filter\": {\"tenant\": \"acme\", \"state\": \"queued\"}, ...}"
                    + " ({} selects every task)");
        }
        body.refuseBlank("filter.");
        return filter("filter.", body.id(), body.model(), tenant, body.businessClass(), body.state(), body.priority(),
                body.minPriority(), body.maxPriority(), body.minAgeMs(), body.maxAgeMs(), body.text());
    }

    private static TaskFilter filter(String prefix, String id, String model, String tenant, String businessClass, String state,
                                     Integer priority, Integer minPriority, Integer maxPriority, Long minAge, Long maxAge,
                                     String text) {
        if (priority != null && (minPriority != null || maxPriority != null)) {
            throw ApiException.invalid(prefix + "priority", "give priority, or min_priority and max_priority, not both");
        }
        try {
            return new TaskFilter(id, model, tenant, businessClass, states(prefix, state),
                    priority != null ? priority : minPriority, priority != null ? priority : maxPriority, minAge, maxAge, text);
        } catch (InvalidTaskException e) {
            String field = e.errors().getFirst().field();
            if (priority != null && field.endsWith("_priority")) { // the range it was turned into: name what was sent
                throw ApiException.invalid(prefix + "priority", e.getMessage().replace(field, "priority"));
            }
            if (prefix.isEmpty() && field.equals("text")) { // sent as the query parameter q
                throw ApiException.invalid("q", e.getMessage().replaceFirst("^text ", "q "));
            }
            throw ApiException.invalid(prefix + field, e.getMessage());
        }
    }

    /** The filter of a listing's query parameters ({@code id}, {@code model}, {@code business_class}, {@code q}), the tenant already narrowed. */
    static TaskFilter fromQuery(Context ctx, String tenant) {
        return filter("", ctx.queryParam("id"), ctx.queryParam("model"), tenant, ctx.queryParam("business_class"), null, null,
                null, null, null, null, ctx.queryParam("q"));
    }

    private static Set<TaskState> states(String prefix, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Set<TaskState> states = EnumSet.noneOf(TaskState.class);
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) { // "," or "$A,$B" with both unset listed, or cancelled, every task
                throw ApiException.invalid(prefix + "state", prefix + "state has an empty entry in '"
                        + ApiException.shorten(text) + "'; give states separated by commas, or leave it out");
            }
            TaskState state = state(part.trim());
            if (state == null) {
                throw ApiException.invalid(prefix + "state", "state must be one or more (comma-separated) of "
                        + names() + ", got '" + ApiException.shorten(part.trim()) + "'" + WireNames.hint(part, names()));
            }
            states.add(state);
        }
        return states;
    }

    /** The state written exactly {@code name} ({@code dead_lettered}), or null: "QUEUED" is refused (decision 0141). */
    static TaskState state(String name) {
        for (TaskState state : TaskState.values()) {
            // as documented, or as a task's own JSON writes it ("state": "QUEUED"): a state read from a
            // task is sent back as it is; any other spelling is refused (decision 0141)
            if (state.name().toLowerCase(Locale.ROOT).equals(name) || state.name().equals(name)) {
                return state;
            }
        }
        return null;
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        for (TaskState state : TaskState.values()) {
            names.add(state.name().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static Integer intParam(Context ctx, String name) {
        Long value = longParam(ctx, name);
        if (value != null && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
            throw ApiException.invalid(name, name + " must be " + range(name) + ", got " + value);
        }
        return value == null ? null : value.intValue();
    }

    /** What a parameter takes, in the words its own check uses for a value in an integer's range. */
    private static String range(String name) {
        return switch (name) {
            case "priority", "min_priority", "max_priority" -> io.queuedeck.engine.task.TaskSpecValidator.range(name);
            case "offset" -> "0 or more, with offset + limit within " + TaskSearch.MAX_DEPTH;
            case "limit" -> "between 1 and " + io.queuedeck.engine.task.TaskQuery.MAX_LIMIT;
            case "min_age_ms", "max_age_ms" -> "between 0 and " + Long.MAX_VALUE + " milliseconds";
            default -> "between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE;
        };
    }

    private static Long longParam(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            if (text.matches("-?[0-9]{1,100}")) { // a whole number too long for any: its range, as for one that fits
                throw ApiException.invalid(name, name + " must be " + range(name) + ", got " + ApiException.shorten(text));
            }
            throw ApiException.invalid(name, name + " must be an integer, got '" + ApiException.shorten(text) + "'");
        }
    }

}
