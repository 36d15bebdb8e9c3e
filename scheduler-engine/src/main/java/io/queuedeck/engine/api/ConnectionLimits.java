package io.queuedeck.engine.api;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.component.Container;

/**
 * What a flood of connections may take (decision 0087). Open connections are capped below the
 * process's file-handle limit, so idle or slow clients cannot take the handles the store,
 * callbacks and backends need: beyond the cap the server stops accepting, and new connections wait
 * in the listening socket's backlog until others close. And a request's headers must arrive in
 * time: on a new connection within the body timeout, on a kept-alive one within the connector's idle
 * timeout after the previous answer, whatever trickles in meanwhile (the idle timeout alone restarts
 * with every byte). A connection too slow is closed.
 */
final class ConnectionLimits extends AbstractLifeCycle implements Connection.Listener, HttpChannel.Listener {
    /** Share of the process's file handles open connections may hold. */
    static final double HANDLE_SHARE = 0.75;
    private static final long SWEEP_MILLIS = 250;

    private final long firstHeadersNanos;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<Connection, Long> headersDue = new ConcurrentHashMap<>();
    private ScheduledExecutorService sweeper;

    private ConnectionLimits(Duration firstHeaders, LongSupplier nanos) {
        this.firstHeadersNanos = firstHeaders.toNanos();
        this.nanos = nanos;
    }

    /** Open connections allowed by default: three quarters of the file handles this process may open. */
    static int defaultMaxConnections() {
        long handles = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 10_000;
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, (long) (handles * HANDLE_SHARE)));
    }

    /**
     * Caps {@code server}'s open connections and watches every connector's headers on the engine's
     * clock ({@code nanos}, as body deadlines are); answers the server.
     */
    static Server apply(Server server, int maxConnections, Duration firstHeaders, LongSupplier nanos) {
        ConnectionLimits limits = new ConnectionLimits(firstHeaders, nanos);
        server.addBean(new ConnectionLimit(maxConnections, server));
        server.addBean(limits);
        server.addEventListener(new Container.Listener() {
            @Override
            public void beanAdded(Container parent, Object child) {
                if (child instanceof AbstractConnector connector) {
                    connector.addBean(limits, false); // a listener of its connections and their requests; the server runs it
                }
            }

            @Override
            public void beanRemoved(Container parent, Object child) {
                // nothing to undo
            }
        });
        return server;
    }

    @Override
    public void onOpened(Connection connection) {
        headersDue.put(connection, nanos.getAsLong() + firstHeadersNanos);
    }

    @Override
    public void onClosed(Connection connection) {
        headersDue.remove(connection);
    }

    @Override
    public void onRequestBegin(Request request) {
        headersDue.remove(request.getHttpChannel().getConnection()); // its headers are in
    }

    @Override
    public void onComplete(Request request) {
        HttpChannel channel = request.getHttpChannel();
        if (channel.getEndPoint().isOpen()) {
            long idle = Math.max(channel.getConnector().getIdleTimeout(), TimeUnit.NANOSECONDS.toMillis(firstHeadersNanos));
            headersDue.put(channel.getConnection(), nanos.getAsLong() + TimeUnit.MILLISECONDS.toNanos(idle));
        }
    }

    @Override
    protected void doStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("queuedeck-header-deadlines").factory());
        sweeper.scheduleWithFixedDelay(this::closeLate, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        sweeper.shutdownNow();
        headersDue.clear();
    }

    /** Off the request threads, four times a second: one pass over the connections still owing headers. */
    private void closeLate() {
        long now = nanos.getAsLong();
        headersDue.forEach((connection, due) -> {
            if (now - due > 0 && headersDue.remove(connection, due)) {
                connection.getEndPoint().close();
            }
        });
    }
}
