package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A graceful stop with real HTTP: what may hold it up once nothing runs. */
class ApiServiceShutdownTest {

    /** A client that did not read a large answer held the stop for the whole grace period, with nothing left to run. */
    @Test
    void anAnswerItsClientDoesNotRead_holdsTheStopForAMomentOnly() throws Exception {
        Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // nothing runs: the stop has nothing to wait for
        ApiService service = ApiService.create(engine, server -> server.port(0), callbacks -> { }).start();
        try (Socket reader = new Socket()) {
            Http http = new Http(service.baseUri());
            ListingsTest.submitHeavy(http, 12); // a page of about 4 MiB: more than the sockets' buffers hold
            reader.setReceiveBufferSize(1024);
            reader.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), service.baseUri().getPort()));
            reader.getOutputStream().write("GET /v1/tasks?limit=100 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = reader.getInputStream();
            assertThat(in.read()).as("the answer has begun").isEqualTo('H'); // then nothing more is read

            long started = System.nanoTime();
            service.shutdown(Duration.ofSeconds(20), new CountDownLatch(1));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        } finally {
            engine.close();
        }
    }
}
