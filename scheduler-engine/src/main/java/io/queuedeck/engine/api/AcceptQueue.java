package io.queuedeck.engine.api;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.Container;

/**
 * The listening socket's backlog. Jetty binds with the JDK's default of 50 pending connections;
 * when more clients connect at once than the acceptor takes in time (500 OpenAI clients opening
 * their streams together on a busy machine), the kernel's accept queue overflows and those
 * connections are lost after the client has sent its request: it reads end-of-stream, with no
 * status to retry on. Decision 0069.
 */
final class AcceptQueue {
    /** Pending connections the kernel keeps for the acceptor (capped by {@code net.core.somaxconn}). */
    static final int SIZE = 4096;

    private AcceptQueue() {}

    /** Sets the backlog of every connector added to {@code server} from now on (Javalin adds its own at start); answers the server. */
    static Server widen(Server server) {
        server.addEventListener(new Container.Listener() {
            @Override
            public void beanAdded(Container parent, Object child) {
                if (child instanceof ServerConnector connector) {
                    connector.setAcceptQueueSize(SIZE);
                }
            }

            @Override
            public void beanRemoved(Container parent, Object child) {
                // nothing to undo
            }
        });
        return server;
    }
}
