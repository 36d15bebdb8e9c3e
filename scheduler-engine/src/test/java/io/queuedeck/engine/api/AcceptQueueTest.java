package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The connector Javalin creates at start gets the wide accept queue (decision 0069). The overflow
 * itself needs an acceptor slower than a burst of connects, which a test cannot arrange reliably:
 * FrontDoorBench's warm-up (500 clients connecting at once) is where it showed.
 */
class AcceptQueueTest {

    @Test
    void theConnectorJavalinAddsAtStart_bindsWithTheWideBacklog() {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.jetty.modifyServer(AcceptQueue::widen);
        });
        try {
            app.start("127.0.0.1", 0);
            Connector[] connectors = app.jettyServer().server().getConnectors();
            assertThat(connectors).hasSize(1);
            assertThat(((ServerConnector) connectors[0]).getAcceptQueueSize()).isEqualTo(AcceptQueue.SIZE);
        } finally {
            app.stop();
        }
    }
}
