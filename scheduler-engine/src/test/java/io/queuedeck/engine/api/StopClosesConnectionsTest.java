package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.testing.GatedStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A submission that was read before a stop began and is answered after it closes its connection:
 * its client must not send its next request on a connection the server is about to close (a
 * kept-alive connection then ends without an answer). The store's commit is held so that the
 * stop begins while the request waits for it.
 */
class StopClosesConnectionsTest {
    private final GatedStore store = new GatedStore();
    private Engine engine;
    private ApiServer server;

    @BeforeEach
    void start() {
        engine = Engine.builder().store(store).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).build().start();
    }

    @AfterEach
    void stop() {
        store.gate.countDown();
        server.close();
        engine.close();
    }

    @Test
    void anAnswerWrittenAfterTheStopBegan_closesItsConnection_evenForARequestReadBefore() throws Exception {
        String body = "{\"task_id\":\"held\",\"model\":\"llama-2-7b\",\"input\":\"x\"}";
        try (Socket socket = new Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> // read and taken by the loop: waiting for its commit
                    engine.send(new io.queuedeck.engine.command.Command.FindTask("held")).join().isPresent());

            server.drain();
            store.gate.countDown();

            String head = head(socket.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 202").containsIgnoringCase("Connection: close");
        }
    }

    /**
     * A connection the server accepted before its listening socket closed, whose request was not yet
     * read (on a busy machine, the gap between accepting and handing a request to a handler): the
     * stop answers it rather than closing the connection under it. The request is sent only once
     * the listening socket refuses new connections, so nothing of it is in flight when the stop looks.
     */
    @Test
    void aRequestOnAConnectionAcceptedBeforeTheListenerClosed_isAnswered_notCutOff() throws Exception {
        String host = server.baseUri().getHost();
        int port = server.baseUri().getPort(); // the server says -1 once its listening socket is closed
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(20_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1); // accepted by the server
            server.drain();
            Thread closing = Thread.ofPlatform().start(server::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Socket probe = new Socket(host, port)) {
                    return false;
                } catch (IOException refused) {
                    return true; // the listening socket is closed: the stop has begun its last step
                }
            });

            socket.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            assertThat(head(socket.getInputStream())).startsWith("HTTP/1.1 503").containsIgnoringCase("Connection: close");
            closing.join(20_000);
        }
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!out.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
