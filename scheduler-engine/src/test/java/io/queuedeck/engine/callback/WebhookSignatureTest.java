package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.clock.SystemClock;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed callbacks as a receiver verifies them. {@link Receiver} is written here from the Standard
 * Webhooks specification, not from the production signer; it is the example docs/api/README.md
 * shows. Secrets rotate by listing several; an old or replayed message is refused by its timestamp.
 */
class WebhookSignatureTest {
    private static final String NEW_SECRET = secret("the new secret, 32 random bytes!");
    private static final String OLD_SECRET = secret("the old secret, 32 random bytes!");
    private static final String OTHER_SECRET = secret("someone else's 32 random bytes!!");

    private final SystemClock clock = new SystemClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private MockWebServer receiver;

    private static String secret(String bytes) {
        return "whsec_" + Base64.getEncoder().encodeToString(bytes.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * How a receiver verifies a callback (Standard Webhooks): the message is
     * {@code webhook-id + "." + webhook-timestamp + "." + raw body}; its HMAC-SHA256 under the
     * base64-decoded secret (after {@code whsec_}), base64-encoded, must equal one {@code v1,}
     * entry of {@code webhook-signature}, compared in constant time; and the timestamp must be
     * within the tolerance of the receiver's clock, so a captured callback cannot be replayed later.
     */
    static final class Receiver {
        static final Duration TOLERANCE = Duration.ofMinutes(5);
        private final byte[] key;

        Receiver(String secret) {
            key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        }

        boolean verify(String id, String timestamp, String signatures, byte[] body, Instant now) {
            if (id == null || timestamp == null || signatures == null) {
                return false;
            }
            long sentAt;
            try {
                sentAt = Long.parseLong(timestamp);
            } catch (NumberFormatException e) {
                return false;
            }
            if (Math.abs(now.getEpochSecond() - sentAt) > TOLERANCE.toSeconds()) {
                return false; // too old (a replay) or too far ahead
            }
            byte[] expected;
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
                expected = Base64.getEncoder().encode(mac.doFinal(body));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            for (String signature : signatures.split(" ")) {
                if (signature.startsWith("v1,")
                        && MessageDigest.isEqual(expected, signature.substring(3).getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        }

        boolean verify(RecordedRequest request, Instant now) {
            return verify(request.getHeaders().get("webhook-id"), request.getHeaders().get("webhook-timestamp"),
                    request.getHeaders().get("webhook-signature"), request.getBody().toByteArray(), now);
        }
    }

    @BeforeEach
    void start() throws IOException {
        receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        receiver.close();
        scheduler.shutdownNow();
    }

    private RecordedRequest deliverSignedWith(List<String> secrets, String taskId) throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(204).build());
        try (CallbackDispatcher dispatcher = CallbackDispatcherTest.loopback(clock, scheduler,
                receiver.url("/").toString()).signingSecrets(secrets).build()) {
            dispatcher.deliver(CallbackDispatcherTest.finished(taskId, receiver.url("/hook").toString(), clock.nanos()));
            RecordedRequest request = receiver.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request).isNotNull();
            return request;
        }
    }

    @Test
    void signer_reproducesTheStandardWebhooksPublishedVector() {
        // the example of the Standard Webhooks reference libraries: what any of them verifies
        WebhookSigner signer = WebhookSigner.of(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));

        assertThat(signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assertThat(new Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify("msg_p5jXN8AQM9LWM0D4loKWxJek",
                "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8), Instant.ofEpochSecond(1614265330)))
                .as("the receiver example agrees with the published vector").isTrue();
    }

    @Test
    void deliver_signed_verifiesWithTheSecret_andCarriesTheTaskIdAndANowTimestamp() throws Exception {
        RecordedRequest request = deliverSignedWith(List.of(NEW_SECRET), "t-sig");

        assertThat(request.getHeaders().get("webhook-id")).isEqualTo("t-sig");
        assertThat(request.getHeaders().get("Idempotency-Key")).isEqualTo("t-sig");
        long sentAt = Long.parseLong(request.getHeaders().get("webhook-timestamp"));
        assertThat(sentAt).isBetween(Instant.now().getEpochSecond() - 5, Instant.now().getEpochSecond() + 1);
        assertThat(request.getHeaders().get("webhook-signature")).matches("v1,[A-Za-z0-9+/]{43}=");
        assertThat(request.getHeaders().get("X-QueueDeck-Signature")).as("the body-only HMAC is gone").isNull();
        assertThat(new Receiver(NEW_SECRET).verify(request, Instant.now())).isTrue();
        assertThat(new Receiver(OTHER_SECRET).verify(request, Instant.now())).as("another secret").isFalse();
    }

    @Test
    void deliver_tampered_isRejected() throws Exception {
        RecordedRequest request = deliverSignedWith(List.of(NEW_SECRET), "t-tamper");
        Receiver receiving = new Receiver(NEW_SECRET);
        String id = request.getHeaders().get("webhook-id");
        String timestamp = request.getHeaders().get("webhook-timestamp");
        String signature = request.getHeaders().get("webhook-signature");
        byte[] body = request.getBody().toByteArray();

        assertThat(receiving.verify(id, timestamp, signature, body, Instant.now())).isTrue();
        byte[] changed = body.clone();
        changed[changed.length - 2] ^= 1;
        assertThat(receiving.verify(id, timestamp, signature, changed, Instant.now())).as("body").isFalse();
        assertThat(receiving.verify("t-other", timestamp, signature, body, Instant.now())).as("id").isFalse();
        String later = Long.toString(Long.parseLong(timestamp) + 60);
        assertThat(receiving.verify(id, later, signature, body, Instant.now())).as("timestamp").isFalse();
    }

    @Test
    void deliver_replayedAfterTheToleranceWindow_isRejected() throws Exception {
        RecordedRequest captured = deliverSignedWith(List.of(NEW_SECRET), "t-replay");
        Receiver receiving = new Receiver(NEW_SECRET);
        Instant sentAt = Instant.ofEpochSecond(Long.parseLong(captured.getHeaders().get("webhook-timestamp")));

        assertThat(receiving.verify(captured, sentAt.plus(Duration.ofMinutes(4)))).isTrue();
        assertThat(receiving.verify(captured, sentAt.plus(Duration.ofMinutes(6)))).as("replayed 6 minutes later").isFalse();
        assertThat(receiving.verify(captured, sentAt.minus(Duration.ofMinutes(6)))).as("from the future").isFalse();
    }

    @Test
    void deliver_retry_isSignedAfreshWithTheSameId() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(503).build());
        receiver.enqueue(new MockResponse.Builder().code(204).build());
        try (CallbackDispatcher dispatcher = CallbackDispatcherTest.loopback(clock, scheduler,
                receiver.url("/").toString()).signingSecrets(List.of(NEW_SECRET))
                .backoff(Duration.ofMillis(5), Duration.ofMillis(5)).build()) {
            dispatcher.deliver(CallbackDispatcherTest.finished("t-retry", receiver.url("/hook").toString(), clock.nanos()));
            RecordedRequest first = receiver.takeRequest(5, TimeUnit.SECONDS);
            RecordedRequest second = receiver.takeRequest(5, TimeUnit.SECONDS);

            assertThat(second.getHeaders().get("webhook-id")).isEqualTo(first.getHeaders().get("webhook-id"));
            assertThat(new Receiver(NEW_SECRET).verify(first, Instant.now())).isTrue();
            assertThat(new Receiver(NEW_SECRET).verify(second, Instant.now())).isTrue();
        }
    }

    @Test
    void deliver_rotation_bothSecretsVerifyWhileBothAreListed() throws Exception {
        RecordedRequest request = deliverSignedWith(List.of(NEW_SECRET, OLD_SECRET), "t-rotate");

        assertThat(request.getHeaders().get("webhook-signature").split(" ")).hasSize(2)
                .allMatch(s -> s.startsWith("v1,"));
        assertThat(new Receiver(NEW_SECRET).verify(request, Instant.now())).as("a receiver already moved").isTrue();
        assertThat(new Receiver(OLD_SECRET).verify(request, Instant.now())).as("a receiver not yet moved").isTrue();
        assertThat(new Receiver(OTHER_SECRET).verify(request, Instant.now())).isFalse();

        RecordedRequest afterRotation = deliverSignedWith(List.of(NEW_SECRET), "t-rotated");
        assertThat(new Receiver(OLD_SECRET).verify(afterRotation, Instant.now())).as("the old secret retired").isFalse();
    }

    @Test
    void deliver_unsigned_carriesNoSignatureHeaders() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(204).build());
        try (CallbackDispatcher dispatcher = CallbackDispatcherTest.loopback(clock, scheduler,
                receiver.url("/").toString()).build()) {
            dispatcher.deliver(CallbackDispatcherTest.finished("t-plain", receiver.url("/hook").toString(), clock.nanos()));
            RecordedRequest request = receiver.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request.getHeaders().get("webhook-signature")).isNull();
            assertThat(request.getHeaders().get("Idempotency-Key")).isEqualTo("t-plain");
        }
    }

    @Test
    void signingSecrets_malformed_failAtBuildWithoutShowingTheSecret() {
        assertThatThrownBy(() -> CallbackDispatcher.builder(clock, scheduler).signingSecrets(List.of("hunter2-plain")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 'whsec_' followed by base64")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> CallbackDispatcher.builder(clock, scheduler)
                .signingSecrets(List.of(NEW_SECRET, "whsec_c2hvcnQ=")))
                .hasMessageContaining("secret #2 holds 5 bytes; use at least 24");
        assertThatThrownBy(() -> CallbackDispatcher.builder(clock, scheduler).signingSecrets(List.of("whsec_!!notbase64")))
                .hasMessageContaining("not valid base64").hasMessageNotContaining("notbase64");
        assertThatThrownBy(() -> CallbackDispatcher.builder(clock, scheduler).signingSecrets(List.of()))
                .hasMessageContaining("at least one");
    }
}
