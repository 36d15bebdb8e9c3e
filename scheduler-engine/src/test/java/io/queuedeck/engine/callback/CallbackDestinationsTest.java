package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.clock.SystemClock;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Dns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Callbacks cannot reach inside the network: every refused class of address in every spelling at
 * submission, names judged by what they resolve to when connecting (a test {@link Dns}),
 * redirects, ports in the allow-list, and URLs shown without their secrets. Deliveries go to real
 * HTTP receivers (MockWebServer).
 */
class CallbackDestinationsTest {
    private final SystemClock clock = new SystemClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final CallbackDispatcherTest.Recorder recorder = new CallbackDispatcherTest.Recorder();
    private final CallbackDispatcher open = CallbackDispatcher.builder(clock, scheduler).build();
    private MockWebServer receiver;

    @BeforeEach
    void start() throws IOException {
        receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        open.close();
        receiver.close();
        scheduler.shutdownNow();
    }

    /** A resolver that answers every name with {@code address}, as a hostile or re-pointed DNS record would. */
    private static Dns resolvingTo(String address) {
        return hostname -> {
            try {
                return List.of(InetAddress.getByName(address));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        };
    }

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1/                 | loopback",
            "http://127.0.0.1:22/              | loopback",
            "http://127.1/                     | loopback",
            "http://[::1]/                     | loopback",
            "http://10.0.0.1/                  | private",
            "http://172.16.5.4/                | private",
            "http://172.31.255.255/            | private",
            "http://192.168.1.1/               | private",
            "http://100.64.0.1/                | carrier-grade NAT",
            "http://192.0.2.1/                 | documentation",
            "http://198.51.100.1/              | documentation",
            "http://203.0.113.1/               | documentation",
            "http://192.88.99.1/               | 6to4 relay",
            "http://[2001:db8::1]/             | documentation",
            "http://[3fff::1]/                 | documentation",
            "http://[3fff:fff:ffff::1]/        | documentation",
            "http://169.254.1.1/               | link-local",
            "http://[fe80::1]/                 | link-local",
            "http://[fd00::1]/                 | unique-local",
            "http://[fc00::1]/                 | unique-local",
            "http://224.0.0.1/                 | multicast",
            "http://[ff02::1]/                 | multicast",
            "http://0.0.0.0/                   | unspecified",
            "http://0/                         | unspecified",
            "http://[::]/                      | unspecified",
            "http://255.255.255.255/           | broadcast",
            "http://169.254.169.254/latest/    | cloud metadata",
            "http://[fd00:ec2::254]/           | cloud metadata",
            "http://168.63.129.16/             | cloud metadata",
            "http://[2001:2::1]/               | benchmarking",
            "http://198.18.0.1/                | benchmarking",
            "http://2852039166/                | cloud metadata",
            "http://0251.0376.0251.0376/       | cloud metadata",
            "http://0xa9.0xfe.0xa9.0xfe/       | cloud metadata",
            "http://0xa9fea9fe/                | cloud metadata",
            "http://0177.0.0.1/                | loopback",
            "http://017700000001/              | loopback",
            "http://0x7f.1/                    | loopback",
            "http://2130706433/                | loopback",
            "http://[::ffff:127.0.0.1]/        | loopback",
            "http://[::ffff:7f00:1]/           | loopback",
            "http://[::ffff:169.254.169.254]/  | cloud metadata",
            "http://[::ffff:10.0.0.1]/         | private",
            "http://[64:ff9b::a00:1]/          | private (NAT64)",
            "http://[2002:a00:1::]/            | private (6to4)",
            "http://[::ffff:0:7f00:1]/         | loopback (IPv4-translated)",
            "http://[::ffff:0:a9fe:a9fe]/      | a cloud metadata service (IPv4-translated)",
            "http://[64:ff9b:1::7f00:1]/       | a local NAT64 translation prefix",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/ | a Teredo tunnel",
            "http://127.0.0.1./                | loopback",
            "http://localhost:8080/            | internal",
            "http://LOCALHOST./                | internal",
            "http://api.localhost/             | internal",
            "http://metadata.google.internal/  | internal",
            "http://Metadata.Google.Internal./ | internal",
            "http://1.2.3.4.5/                 | neither a name nor a valid IPv4 address",
            "http://999.1.1.1/                 | neither a name nor a valid IPv4 address",
            // found in the tenant-isolation probe (decision 0075): hex-mapped, long-form, Unicode-digit spellings
            "http://[::ffff:a00:1]/            | private",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/ | loopback",
            "http://[0000::1]/                 | loopback",
            "http://\u2460\u2461\u2466.0.0.1/     | loopback",
            "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/ | loopback",
            "http://127.0.0.1\u3002/          | loopback"})
    void refusal_insideDestinationInAnySpelling_isRefusedAtSubmission(String url, String why) {
        assertThat(open.refusal(url)).as(url).get().asString().contains(why).doesNotContain("@");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/x", "http://93.184.216.34/cb", "http://8.8.8.8:8080/cb",
            "http://[2606:4700:4700::1111]/cb", "https://hooks.example.com/x?api_key=k", "http://172.32.0.1/",
            "http://100.128.0.1/", "http://11.0.0.1/",
            "http://[3fff:1000::1]/", "http://[3ffe::1]/"}) // beside 3fff::/20, not in it
    void refusal_publicDestination_isAccepted(String url) {
        assertThat(open.refusal(url)).as(url).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://alice:s3cr3tpw@hooks.example.com/x", "http://alice@hooks.example.com/x",
            "https://:s3cr3tpw@hooks.example.com/x", "http://alice%40b:s3cr3tpw@hooks.example.com/",
            "http://alice:s3cr3tpw@127.0.0.1/"})
    void refusal_credentialsInTheUrl_areRefused_andNotRepeated(String url) {
        assertThat(open.refusal(url)).get().asString().contains("must not carry credentials")
                .doesNotContain("alice").doesNotContain("s3cr3tpw");
    }

    @Test
    void allowList_portsAreChecked_andAListedInsideDestinationIsAllowed() {
        try (CallbackDispatcher listed = CallbackDispatcher.builder(clock, scheduler).allowedHosts(List.of(
                "hooks.internal:8443", "127.0.0.1", "[fd00::1]:9000", "10.0.0.5:*", "Hooks.Example.com")).build()) {
            assertThat(listed.refusal("https://hooks.internal:8443/cb")).isEmpty();
            assertThat(listed.refusal("https://hooks.internal/cb")).get().asString().contains("port 443 is not allowed");
            assertThat(listed.refusal("http://127.0.0.1/cb")).as("no port listed: 80").isEmpty();
            assertThat(listed.refusal("https://127.0.0.1/cb")).as("no port listed: 443").isEmpty();
            assertThat(listed.refusal("http://127.0.0.1:6379/")).get().asString()
                    .contains("port 6379 is not allowed for host '127.0.0.1'");
            assertThat(listed.refusal("http://[fd00::1]:9000/cb")).isEmpty();
            assertThat(listed.refusal("http://[fd00::1]:9001/cb")).isPresent();
            assertThat(listed.refusal("http://10.0.0.5:1234/cb")).as("host:* allows any port").isEmpty();
            assertThat(listed.refusal("https://hooks.example.com./cb")).isEmpty();
            assertThat(listed.refusal("https://evil.example.com/cb")).get().asString().contains("allow-list");
            assertThat(listed.refusal("http://10.0.0.6/cb")).get().asString().contains("allow-list");
            assertThat(listed.refusal("http://u:p@127.0.0.1/cb")).as("credentials even when listed").isPresent();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h:0", "h:65536", "h:abc", "fd00::1:80", "[fd00::1", "[fd00::1]x", "", ":80",
            "user@h", "h/path"})
    void allowList_malformedEntry_failsAtBuild(String entry) {
        assertThatThrownBy(() -> CallbackDispatcher.builder(clock, scheduler).allowedHosts(List.of(entry)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is malformed");
    }

    /** A URL where a host belongs was refused with a message about its port ("http" with port "//x"). */
    @Test
    void allowList_aUrlForAHost_isRefusedSayingSo() {
        assertThatThrownBy(() -> CallbackDispatcher.builder(clock, scheduler).allowedHosts(List.of("https://hooks.example.com")))
                .hasMessageContaining("give a host, not a URL");
    }

    @Test
    void deliver_nameResolvingToLoopback_isRefusedWhenConnecting_andDeadLettered() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        String url = "http://hooks.example.test:" + receiver.getPort() + "/cb";
        try (CallbackDispatcher dispatcher = CallbackDispatcher.builder(clock, scheduler)
                .dns(resolvingTo("127.0.0.1")).listener(recorder).maxAttempts(3).build()) {
            assertThat(dispatcher.refusal(url)).as("a name passes at submission").isEmpty();

            dispatcher.deliver(CallbackDispatcherTest.finished("t-rebind", url, clock.nanos()));

            await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.deadLetters().isEmpty());
            DeadLetter dead = dispatcher.deadLetters().getFirst();
            assertThat(dead.lastError()).contains("'hooks.example.test' resolves to 127.0.0.1, which is loopback");
            assertThat(dead.attempts()).as("refused, not retried").isEqualTo(1);
            assertThat(recorder.retried).isEmpty();
            assertThat(recorder.dead).containsExactly("refused");
            assertThat(receiver.getRequestCount()).isZero();
        }
    }

    @Test
    void deliver_nameResolvingToMetadataOrPrivate_isRefused() throws Exception {
        for (String address : List.of("169.254.169.254", "10.1.2.3", "::ffff:192.168.0.1", "fd00:ec2::254")) {
            try (CallbackDispatcher dispatcher = CallbackDispatcher.builder(clock, scheduler)
                    .dns(resolvingTo(address)).build()) {
                dispatcher.deliver(CallbackDispatcherTest.finished("t-" + address, "http://hooks.example.test/cb",
                        clock.nanos()));
                await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.deadLetters().isEmpty());
                assertThat(dispatcher.deadLetters().getFirst().lastError()).as(address).contains("resolves to")
                        .contains("callbacks may not reach inside the network");
            }
        }
    }

    @Test
    void deliver_listedNameResolvingInside_isDeliveredToItsListedPort() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(204).build());
        String url = "http://hooks.internal:" + receiver.getPort() + "/cb";
        try (CallbackDispatcher dispatcher = CallbackDispatcher.builder(clock, scheduler)
                .dns(resolvingTo("127.0.0.1")).allowedHosts(List.of("hooks.internal:" + receiver.getPort()))
                .listener(recorder).build()) {
            dispatcher.deliver(CallbackDispatcherTest.finished("t-listed", url, clock.nanos()));

            assertThat(receiver.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> recorder.delivered.equals(List.of(1)));
        }
    }

    @Test
    void deliver_redirect_isNotFollowed_andDeadLetters() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start(InetAddress.getLoopbackAddress(), 0);
            elsewhere.enqueue(new MockResponse.Builder().code(200).build());
            receiver.enqueue(new MockResponse.Builder().code(302)
                    .setHeader("Location", elsewhere.url("/inside").toString()).build());
            receiver.enqueue(new MockResponse.Builder().code(307).setHeader("Location", "/moved?token=s3cret").build());
            try (CallbackDispatcher dispatcher = CallbackDispatcherTest.loopback(clock, scheduler,
                    receiver.url("/").toString(), elsewhere.url("/").toString()).listener(recorder).build()) {
                dispatcher.deliver(CallbackDispatcherTest.finished("t-302", receiver.url("/cb").toString(), clock.nanos()));
                dispatcher.deliver(CallbackDispatcherTest.finished("t-307", receiver.url("/cb").toString(), clock.nanos()));

                await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.deadLetters().size() == 2);
                assertThat(dispatcher.deadLetters()).extracting(DeadLetter::lastError)
                        .containsExactlyInAnyOrder(
                                "HTTP 302: a redirect to " + elsewhere.url("/inside") + ", not followed (callbacks never follow redirects; give the final URL)",
                                "HTTP 307: a redirect to " + receiver.url("/moved?token=***") + ", not followed (callbacks never follow redirects; give the final URL)");
                assertThat(elsewhere.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
                assertThat(elsewhere.getRequestCount()).isZero();
            }
        }
    }

    @Test
    void resume_destinationRefusedSinceSubmission_deadLettersWithTheReason_withoutSending() throws Exception {
        DeliveryStore store = DeliveryStore.inMemory();
        String url = receiver.url("/cb").toString();
        store.put(new DeliveryStore.Delivery("t-old", url, "{}".getBytes(), Instant.now(), 1, "HTTP 503", null));
        try (CallbackDispatcher dispatcher = CallbackDispatcher.builder(clock, scheduler).store(store)
                .listener(recorder).build()) {
            dispatcher.resume(); // started again without the allow-list entry that let it through

            await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.deadLetters().isEmpty());
            assertThat(dispatcher.deadLetters().getFirst().lastError()).contains("loopback");
            assertThat(recorder.dead).containsExactly("refused");
            assertThat(receiver.getRequestCount()).isZero();
        }
    }

    @Test
    void deadLetters_showUrlsWithoutCredentialsOrSecretQueryValues() throws Exception {
        DeliveryStore store = DeliveryStore.inMemory();
        // user info predates the rule that refuses it; query secrets are allowed but never shown
        store.put(new DeliveryStore.Delivery("t-creds", "https://bob:hunter2@hooks.example.com/cb?a=1",
                "{}".getBytes(), Instant.now(), 3, "HTTP 500", Instant.now()));
        receiver.enqueue(new MockResponse.Builder().code(400).build());
        String url = receiver.url("/cb").newBuilder().addQueryParameter("api_key", "k-123")
                .addQueryParameter("token", "t-456").addQueryParameter("Client_Secret", "s-789")
                .addQueryParameter("password", "p").addQueryParameter("page", "2").build().toString();
        try (CallbackDispatcher dispatcher = CallbackDispatcherTest.loopback(clock, scheduler, url).store(store)
                .build()) {
            dispatcher.resume();
            dispatcher.deliver(CallbackDispatcherTest.finished("t-query", url, clock.nanos()));
            await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.deadLetters().size() == 2);

            String shown = dispatcher.deadLetters().toString();
            assertThat(shown).doesNotContain("hunter2", "bob", "k-123", "t-456", "s-789", "password=p")
                    .contains("https://***@hooks.example.com/cb?a=1", "api_key=***", "token=***",
                            "Client_Secret=***", "page=2");
        }
        assertThat(store.all()).extracting(DeliveryStore.Delivery::url).as("what is sent is kept whole")
                .anyMatch(u -> u.contains("k-123"));
    }

    @Test
    void redaction_unparseableUrl_showsNothingOfIt() {
        assertThat(UrlRedaction.redact("not a url with secret")).isEqualTo("(not a valid URL)");
        assertThat(UrlRedaction.redact("http://h.example/x#token=abc")).isEqualTo("http://h.example/x");
    }

    /** A secret's name written with escapes kept its value, and a masked copy of it was added beside it. */
    @Test
    void redaction_secretNamesWrittenWithEscapes_areMaskedInPlace() {
        assertThat(UrlRedaction.redact("http://h.example/r?a=1&%74oken=CBSECRET&pass%77ord=P2&Token=UP&b"))
                .isEqualTo("http://h.example/r?a=1&token=***&password=***&Token=***&b");
    }
}
