package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tokenless loopback server's defence against requests a web page forges in a browser on the
 * same machine (decision 0016). Anyone who can open a socket to loopback is trusted there, but a
 * browser is a confused deputy: a page may post forms anywhere and, through DNS rebinding, read
 * from a name that now points at 127.0.0.1. So: the {@code Host} must name loopback or the bound
 * host (rebinding carries the attacker's name); a cross-site {@code Origin} or
 * {@code Sec-Fetch-Site: cross-site} is refused; and a state-changing request must carry
 * {@code Content-Type: application/json} or an {@value #CLIENT_HEADER} header, neither of which a
 * page can send cross-origin without a CORS preflight, which this server never grants.
 */
final class RequestGuard {
    /** A header any non-browser client may send to mark a request as deliberate. */
    static final String CLIENT_HEADER = "X-QueueDeck-Client";

    private final Set<String> hosts;

    RequestGuard(String boundHost) {
        String bound = bare(boundHost.toLowerCase(Locale.ROOT));
        this.hosts = Set.of("localhost", "::1", bound);
    }

    /**
     * Refuses a request two readers could read two ways, on every server: a method not in capitals,
     * two Authorization or Content-Type headers, or a query parameter given twice (which one counts
     * is a guess a proxy in front may make otherwise; lists are comma-separated in one value). Two
     * Content-Types let a proxy or firewall judge the body by one type while the server, which read
     * the first, parses it by another.
     */
    static void refuseAmbiguous(Context ctx) {
        String method = ctx.req().getMethod();
        if (!method.equals(method.toUpperCase(Locale.ROOT))) {
            // the router reads "delete" as DELETE; HTTP methods are case-sensitive (RFC 9110, 9.1), so a proxy
            // in front that allows or refuses DELETE reads it as another method and lets it by
            throw new ApiException(400, "bad_request", "methods are case-sensitive: send '"
                    + ApiException.shorten(method.toUpperCase(Locale.ROOT)) + "', not '" + ApiException.shorten(method) + "'");
        }
        for (String header : SINGLE_HEADERS) {
            if (givenTwice(ctx, header)) {
                throw new ApiException(400, "bad_request", "send one " + header + " header, not several");
            }
        }
        if (!percentEncoded(ctx.req().getRequestURI())) {
            // "%u0041" passes the server but not the router's decoding, which failed the request with a 500
            throw new ApiException(400, "invalid_path", "the path is not valid percent-encoding: '%' must be followed"
                    + " by two hex digits");
        }
        if (!ctx.path().startsWith("/v1/") || OpenAiFrontDoor.serves(ctx.path())) {
            return; // probes and scrapers send what their tools send; the front door reads no parameter (as OpenAI's API)
        }
        for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
            if (param.getValue().size() > 1) {
                String name = ApiException.shorten(param.getKey());
                throw ApiException.invalid(name, "give " + name + " once, not " + param.getValue().size()
                        + " times (several values: one comma-separated value)");
            }
        }
    }

    /** Headers a request may carry once: the server reads only the first of several. */
    private static final List<String> SINGLE_HEADERS = List.of("Authorization", "Content-Type");

    private static boolean givenTwice(Context ctx, String header) {
        Enumeration<String> values = ctx.req().getHeaders(header); // every request: no list built
        return values.hasMoreElements() && values.nextElement() != null && values.hasMoreElements();
    }

    /** Whether every '%' in {@code uri} starts an escape of two hex digits. */
    private static boolean percentEncoded(String uri) {
        for (int at = uri.indexOf('%'); at >= 0; at = uri.indexOf('%', at + 3)) {
            if (at + 2 >= uri.length() || Character.digit(uri.charAt(at + 1), 16) < 0 || Character.digit(uri.charAt(at + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    void check(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !allowed(hostOf(host))) { // HTTP/1.0 may leave it out: then it names no allowed host either
            throw new ApiException(403, "host_not_allowed", "this server answers requests for loopback names only ("
                    + "localhost, 127.0.0.1, [::1]) or the address it is bound to; the Host header "
                    + (host == null ? "is missing" : host.isBlank() ? "is empty" : "names another"));
        }
        if (fromAnotherSite(ctx)) {
            throw new ApiException(403, "origin_not_allowed", "requests from web pages of other sites are refused;"
                    + " this server has no token and trusts only programs on this machine");
        }
        HandlerType method = ctx.method();
        boolean changes = method == HandlerType.POST || method == HandlerType.PUT || method == HandlerType.PATCH
                || method == HandlerType.DELETE;
        if (changes && !Routes.isJsonType(ctx.header("Content-Type")) && isBlank(ctx.header(CLIENT_HEADER))) {
            throw new ApiException(415, "unsupported_media_type", "a request that changes state must send"
                    + " 'Content-Type: application/json' or an '" + CLIENT_HEADER + "' header (any value), which"
                    + " web pages of other sites cannot send");
        }
    }

    /**
     * An Origin not of this machine, or {@code Sec-Fetch-Site: cross-site}, in any of the headers:
     * with two, a loopback Origin first hid a foreign one behind it.
     */
    private boolean fromAnotherSite(Context ctx) {
        for (String origin : java.util.Collections.list(ctx.req().getHeaders("Origin"))) {
            if (!allowedOrigin(origin)) {
                return true;
            }
        }
        for (String site : java.util.Collections.list(ctx.req().getHeaders("Sec-Fetch-Site"))) {
            if ("cross-site".equalsIgnoreCase(site.strip())) {
                return true;
            }
        }
        return false;
    }

    private boolean allowedOrigin(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && allowed(bare(uri.getHost().toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return false; // "null" (a sandboxed or file page) and anything unparsable
        }
    }

    /**
     * Whether {@code host} names loopback only (by name, or by every address it resolves to): the
     * only addresses a server without a token may bind.
     */
    static boolean isLoopback(String host) {
        if (host.toLowerCase(Locale.ROOT).equals("localhost")) {
            return true;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress address : all) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'", e);
        }
    }

    private boolean allowed(String host) {
        return hosts.contains(host) || isLoopbackV4(host);
    }

    /** The host name of a Host header value: {@code name}, {@code name:port}, {@code [v6]:port}. */
    private static String hostOf(String header) {
        String value = header.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            return close < 0 ? value : value.substring(1, close);
        }
        int colon = value.indexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** A dotted-quad literal in 127.0.0.0/8 (no name resolution: a name must be listed). */
    private static boolean isLoopbackV4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
