package io.queuedeck.engine.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs callbacks as Standard Webhooks does: {@code webhook-signature} holds
 * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, one per secret, space-separated, so a
 * receiver can move to a new secret while the old one still verifies. Secrets are written
 * {@code whsec_<base64>}; the key is the decoded bytes, at least 24 of them.
 */
final class WebhookSigner {
    static final String PREFIX = "whsec_";
    static final int MIN_KEY_BYTES = 24;

    private final List<SecretKeySpec> keys;

    private WebhookSigner(List<SecretKeySpec> keys) {
        this.keys = keys;
    }

    /**
     * @param secrets {@code whsec_…} secrets, the one to sign with first (all sign; order is kept)
     * @throws IllegalArgumentException naming the malformed secret by position, never its value
     */
    static WebhookSigner of(List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("give at least one callback signing secret");
        }
        List<SecretKeySpec> keys = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i) == null ? "" : secrets.get(i).strip();
            String which = secrets.size() == 1 ? "the callback signing secret" : "callback signing secret #" + (i + 1);
            if (!secret.startsWith(PREFIX)) {
                throw new IllegalArgumentException(which + " must be 'whsec_' followed by base64 (for example"
                        + " 'whsec_' + `openssl rand -base64 32`)");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(which + " is not valid base64 after 'whsec_'");
            }
            if (key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException(which + " holds " + key.length + " bytes; use at least "
                        + MIN_KEY_BYTES + " random bytes");
            }
            keys.add(new SecretKeySpec(key, "HmacSHA256"));
        }
        return new WebhookSigner(List.copyOf(keys));
    }

    /** The {@code webhook-signature} value for this message. */
    String sign(String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder();
        for (SecretKeySpec key : keys) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                mac.update(prefix);
                if (!header.isEmpty()) {
                    header.append(' ');
                }
                header.append("v1,").append(Base64.getEncoder().encodeToString(mac.doFinal(body)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }
        return header.toString();
    }
}
