package io.queuedeck.engine.cli;

import io.queuedeck.engine.fault.TcpFaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * {@code serve --redis-fault-proxy}: an in-process {@link TcpFaultProxy} in front of serve's own
 * Redis (the Toxiproxy model, as the {@code redis-outage} drill has), registered for
 * {@code network} faults as {@code backend:redis}, so that {@code POST /v1/faults} can cut, reset,
 * slow or stall the connection of a running serve (decision 0082a). Opt-in: every Redis byte then
 * passes through two threads of the proxy.
 *
 * @param proxy the proxy, listening on a loopback port
 * @param uri   the Redis URI the store and the shared queue use: the original one with its host and
 *              port replaced by the proxy's (password and database kept)
 */
record RedisFaultProxy(TcpFaultProxy proxy, String uri) {
    /** The name {@code network} faults use for it: {@code target: "backend:redis"}. */
    static final String NAME = "redis";

    /** Starts a proxy relaying to the Redis {@code redisUri} names. */
    static RedisFaultProxy open(String redisUri) {
        URI parsed;
        try {
            parsed = URI.create(redisUri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--redis: Redis URI must look like redis://HOST:PORT[/DB], got a malformed one");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis")) {
            // a TLS client checks the server's name, which the loopback proxy is not
            throw new IllegalArgumentException("--redis-fault-proxy: needs a redis:// URI (TLS, rediss://, is not proxied), got "
                    + (scheme.isEmpty() ? "no scheme" : scheme + "://"));
        }
        if (parsed.getHost() == null) {
            throw new IllegalArgumentException("--redis: Redis URI must look like redis://HOST:PORT[/DB]");
        }
        int port = parsed.getPort() < 0 ? 6379 : parsed.getPort();
        try {
            TcpFaultProxy proxy = new TcpFaultProxy(new InetSocketAddress(parsed.getHost(), port),
                    Thread.ofVirtual().name("redis-fault-proxy-", 0).factory());
            String user = parsed.getRawUserInfo() == null ? "" : parsed.getRawUserInfo() + "@";
            String path = parsed.getRawPath() == null ? "" : parsed.getRawPath();
            String query = parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery();
            return new RedisFaultProxy(proxy, "redis://" + user + "127.0.0.1:" + proxy.port() + path + query);
        } catch (IOException e) {
            throw new UncheckedIOException("--redis-fault-proxy: cannot listen on a loopback port", e);
        }
    }

    void close() {
        try {
            proxy.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
