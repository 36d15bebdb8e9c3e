package io.queuedeck.engine.api;

import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters each {@code /v1/} endpoint reads, in one table. Any other parameter, or one
 * sent empty, is a 400 on it: a misspelt filter ({@code ?priorty=1}) or a blank one ({@code ?state=})
 * must not be read as "no filter" and answer with everything. The OpenAI-compatible front door is
 * left out: its clients add parameters of their own (Azure's {@code api-version}), which the
 * OpenAI API ignores.
 */
final class QueryParams {
    private static final Map<String, Set<String>> READ = Map.of(
            "/v1/tasks", SearchParams.LISTING,
            "/v1/tiers/{tier}/parked", Set.of("tenant", "id", "model", "business_class", "q", "limit", "cursor"),
            "/v1/audit", Set.of("format", "limit", "offset", "q", "actor", "action", "since", "until"),
            "/v1/callbacks/dead-letters", Set.of("limit", "offset"));

    private QueryParams() {}

    /** Runs once the endpoint is matched (its path template known) and the caller authenticated. */
    static void refuseUnread(Context ctx) {
        String endpoint = ctx.endpointHandlerPath();
        if (!endpoint.startsWith("/v1/") || OpenAiFrontDoor.PATHS.contains(endpoint)) {
            return; // probes and scrapers send what their tools send
        }
        Set<String> read = READ.getOrDefault(endpoint, Set.of());
        refuseBadEscapes(ctx.queryString());
        for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
            String name = param.getKey();
            String shown = ApiException.shorten(name);
            if (!read.contains(name)) {
                throw ApiException.invalid(shown, "unknown query parameter '" + shown + "'; " + (read.isEmpty()
                        ? ctx.method() + " " + endpoint + " takes none" : "it takes " + new TreeSet<>(read)));
            }
            if (param.getValue().stream().allMatch(SearchParams.FilterBody::blank)) { // "?id=%20" is no id either
                throw ApiException.invalid(shown, shown + (param.getValue().stream().allMatch(String::isEmpty) ? " is empty" : " is blank")
                        + "; give it a value or leave it out");
            }
        }
    }

    /**
     * A {@code %} not followed by two hex digits: the decoder reads such a value as empty, and
     * "state is empty" named the wrong fault. Refused with what was sent.
     */
    private static void refuseBadEscapes(String query) {
        if (query == null || query.indexOf('%') < 0) {
            return;
        }
        for (String pair : query.split("&")) {
            for (int i = pair.indexOf('%'); i >= 0; i = pair.indexOf('%', i + 1)) {
                if (i + 2 >= pair.length() || Character.digit(pair.charAt(i + 1), 16) < 0 || Character.digit(pair.charAt(i + 2), 16) < 0) {
                    int eq = pair.indexOf('=');
                    String name = ApiException.shorten(eq < 0 ? pair : pair.substring(0, eq));
                    throw ApiException.invalid(name, name + " is not valid percent-encoding ('" + ApiException.shorten(pair)
                            + "'): write a literal % as %25");
                }
            }
        }
    }
}
