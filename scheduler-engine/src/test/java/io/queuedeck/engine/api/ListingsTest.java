package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeBackendRig;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A page of tasks is bounded by the answers it carries, not only by its count: a tenant whose
 * tasks hold long answers asked for a thousand of them in one page, which the server built whole
 * (and could not hold). Real HTTP, a real fake backend writing the answers.
 */
class ListingsTest {
    private static final String MODEL = "big";
    /** One answer of about 1 Mi characters: eight tokens of 128 Ki characters. */
    private static final Script LONG_ANSWER = new Script(java.util.Collections.nCopies(8, "x".repeat(128 * 1024)), 0, 0, 200,
            null, null, -1, true, true, true, false, false, "stop");

    private FakeBackendRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aPageEndsEarly_pastItsBoundOfAnswerText_andItsCursorBringsTheRest() throws Exception {
        rig = FakeBackendRig.serving(MODEL).script(LONG_ANSWER).api().start();
        Http http = new Http(rig.baseUri());
        for (int i = 0; i < 6; i++) {
            assertThat(http.post("/v1/tasks", "{\"model\":\"" + MODEL + "\",\"input\":\"q\",\"max_tokens\":20000,\"task_id\":\"t" + i
                    + "\"}").status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/v1/tasks?state=succeeded&limit=1").json()
                .path("tasks").size() == 1 && rig.engine().latestSnapshot().counters().succeeded() == 6);

        List<String> ids = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            Http.Response response = http.get("/v1/tasks?limit=100" + (cursor.isEmpty() ? "" : "&cursor=" + cursor));
            JsonNode page = response.json();
            for (JsonNode task : page.path("tasks")) {
                ids.add(task.path("task_id").asText());
            }
            assertThat((long) response.body().length()).isLessThanOrEqualTo(Listings.PAGE_BYTES);
            cursor = page.path("next_cursor").asText("");
            pages++;
        } while (!cursor.isEmpty());

        assertThat(pages).isEqualTo(2);
        assertThat(ids).containsExactly("t0", "t1", "t2", "t3", "t4", "t5");

        // a client that asks for the big page and does not read it: its write blocks, holding no one's turn
        try (java.net.Socket slow = new java.net.Socket()) {
            slow.setReceiveBufferSize(1024);
            slow.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), rig.baseUri().getPort()));
            slow.getOutputStream().write(("GET /v1/tasks?limit=100 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(10)).until(() -> rig.server().inFlight() == 1);
            long started = System.nanoTime();
            for (int i = 0; i < 3; i++) { // one turn on this 2-core machine: each would have waited out the timeout
                assertThat(http.get("/v1/tasks?limit=2").status()).isEqualTo(200);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
            assertThat(rig.server().inFlight()).as("the slow client's page is still being written").isEqualTo(1);
        }

        JsonNode search = http.get("/v1/tasks?model=" + MODEL + "&limit=100").json();
        int shown = search.path("tasks").size();
        assertThat(shown).isBetween(1, 5);
        assertThat(search.path("total").asInt()).isEqualTo(6);
        assertThat(search.path("next_offset").asInt()).isEqualTo(shown);
    }

    /**
     * Metadata counts too, as written: 64 values of 1,024 control characters are six bytes each in
     * JSON, and a page of 300 such tasks (a page counted by its answers alone) ran a 256 MB heap out.
     */
    @Test
    void aPageOfTasksWithHeavyMetadata_staysWithinItsBytes() throws Exception {
        Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
            Http http = new Http(server.baseUri());
            submitHeavy(http, 40);

            Http.Response page = http.get("/v1/tasks?limit=100&state=queued");

            assertThat(page.status()).isEqualTo(200);
            assertThat((long) page.body().length()).isLessThanOrEqualTo(Listings.PAGE_BYTES);
            assertThat(page.json().path("tasks").size()).isBetween(1, 39);
            assertThat(page.json().path("next_cursor").isTextual()).isTrue();
        } finally {
            engine.close();
        }
    }

    /**
     * One client that asks for pages and does not read them holds its own quarter of the writing
     * budget, no more: the others still get theirs, and its share comes back as its pages are read.
     */
    @Test
    void aClientsUnreadPagesHoldItsShareOfTheWritingBudget_notEveryonesShare() {
        Listings listings = new Listings(Duration.ofMillis(200).toNanos(), 32L << 20); // share: 8 MiB a client
        int page = 4 << 20;
        Listings.Held first = listings.hold("client a", page);
        Listings.Held second = listings.hold("client a", page);

        assertThatThrownBy(() -> listings.hold("client a", page)).isInstanceOfSatisfying(ApiException.class, refused -> {
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.getMessage()).contains("8 MiB").contains("still being sent");
        });
        List<Listings.Held> others = new ArrayList<>();
        for (String who : List.of("client b", "client c", "client d")) {
            others.add(listings.hold(who, page));
            others.add(listings.hold(who, page));
        }
        assertThatThrownBy(() -> listings.hold("client e", page)).as("all four shares held: the budget is full")
                .isInstanceOfSatisfying(ApiException.class, busy -> assertThat(busy.status()).isEqualTo(503));

        first.close();
        listings.hold("client e", page).close();
        listings.hold("client a", page).close();
        second.close();
        others.forEach(Listings.Held::close);
        for (int i = 0; i < 8; i++) { // everything given back: the whole budget again, a quarter to each
            others.add(listings.hold("client " + (char) ('a' + i / 2), page));
        }
    }

    /**
     * Submits {@code n} tasks with the heaviest metadata a task may carry in JSON: 64 values of 1,024
     * control characters, each written as six bytes (390 KB a task).
     */
    static void submitHeavy(Http http, int n) {
        StringBuilder metadata = new StringBuilder("{");
        for (int k = 0; k < 64; k++) {
            metadata.append(k == 0 ? "" : ",").append("\"k").append(k).append("\":\"").append("\\u0001".repeat(1_024)).append('"');
        }
        metadata.append('}');
        for (int i = 0; i < n; i++) {
            assertThat(http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"metadata\":" + metadata + "}")
                    .status()).isEqualTo(202);
        }
    }
}
