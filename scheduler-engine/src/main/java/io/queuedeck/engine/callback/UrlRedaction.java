package io.queuedeck.engine.callback;

import okhttp3.HttpUrl;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Callback URLs as they may be shown (API, logs): no user info, and the values of query
 * parameters whose names suggest a secret replaced by {@code ***}. Submission refuses user info
 * already; URLs stored before that rule, and secrets in query strings, still pass through here.
 */
final class UrlRedaction {
    static final String MASK = "***";
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(key|token|secret|passw|pwd|auth|sig|credential|session|cookie).*");

    private UrlRedaction() {}

    static String redact(String url) {
        if (url == null) {
            return null;
        }
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            return "(not a valid URL)"; // cannot tell its parts apart: show none of it
        }
        HttpUrl.Builder b = parsed.newBuilder();
        if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
            b.username(MASK).password("");
        }
        if (parsed.querySize() > 0) {
            // rebuilt pair by pair, in order, from the decoded names: a name written with escapes
            // (%74oken) kept its value when the mask was set under the plain name beside it
            b.query(null);
            for (int i = 0; i < parsed.querySize(); i++) {
                String name = parsed.queryParameterName(i);
                String value = parsed.queryParameterValue(i);
                b.addQueryParameter(name, value != null && SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches() ? MASK : value);
            }
        }
        if (parsed.fragment() != null) {
            b.fragment(null);
        }
        return b.build().toString();
    }
}
