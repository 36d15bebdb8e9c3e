package io.queuedeck.engine.exec.openai;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One OpenAI-compatible inference server (vLLM, SGLang, TGI, llama.cpp's server, Ollama, ...).
 *
 * @param baseUrl          where it listens, without {@code /v1} ({@code http://gpu1:8000})
 * @param models           the models it serves; empty to ask it ({@code GET /v1/models}) at start
 * @param slots            requests it is sent at once
 * @param apiKey           sent as {@code Authorization: Bearer}, or null
 * @param connectTimeout   to open a connection
 * @param firstTokenTimeout from sending the request to the first token
 * @param totalTimeout     from sending the request to the end of the stream
 * @param priorityField    the request field that carries the task's priority to the server's own
 *                         scheduler (vLLM's and SGLang's {@code priority}), or null to send none
 */
public record Backend(URI baseUrl, List<String> models, int slots, String apiKey, Duration connectTimeout,
                      Duration firstTokenTimeout, Duration totalTimeout, String priorityField) {

    /**
     * A key goes out as {@code Authorization: Bearer KEY}: a character a header cannot carry (beyond
     * printable ASCII, a space, a line break) failed every request and health probe of the backend, on
     * the scheduler loop, leaving its tasks running forever. Refused at start; the key is never shown.
     */
    private static void checkKey(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("the API key has a character an HTTP header cannot carry (character "
                        + (i + 1) + " of " + key.length() + (c < 0x20 || c == 0x7f ? ", a control character" : c == ' '
                        ? ", a space" : ", outside ASCII") + "): keys are printable ASCII without spaces");
            }
        }
    }

    /** Requests sent at once when the operator does not say: what a single vLLM instance batches comfortably. */
    public static final int DEFAULT_SLOTS = 8;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(10);

    public Backend {
        if (baseUrl == null || baseUrl.getScheme() == null || baseUrl.getHost() == null
                || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https"))) {
            throw new IllegalArgumentException("backend URL must be http(s)://host[:port], got " + baseUrl);
        }
        if (baseUrl.getRawUserInfo() != null) { // it was shown on /metrics, /v1/instances and every task, and never sent
            throw new IllegalArgumentException("backend URL must not carry credentials (user:password@): give an API key with"
                    + " key_env=VAR (or api_key_env / api_key_file in the config); got " + baseUrl.getScheme() + "://…@" + baseUrl.getHost());
        }
        if (apiKey != null) {
            checkKey(apiKey);
        }
        String path = baseUrl.getPath() == null ? "" : baseUrl.getPath();
        path = path.replaceAll("/+$", "");
        if (path.endsWith("/v1")) { // people paste the OpenAI "base URL", which includes /v1
            path = path.substring(0, path.length() - 3);
        }
        baseUrl = URI.create(baseUrl.getScheme() + "://" + baseUrl.getRawAuthority() + path);
        models = List.copyOf(models);
        for (String model : models) {
            if (model.isBlank()) {
                throw new IllegalArgumentException("backend model names must not be blank");
            }
        }
        if (slots < 1 || slots > 10_000) {
            throw new IllegalArgumentException("backend slots must be between 1 and 10000, got " + slots);
        }
        positive(connectTimeout, "connect timeout");
        positive(firstTokenTimeout, "first-token timeout");
        positive(totalTimeout, "total timeout");
        if (priorityField != null && priorityField.isBlank()) {
            throw new IllegalArgumentException("priority field must not be blank");
        }
    }

    /** A backend at {@code url} with the defaults: models asked for, {@value #DEFAULT_SLOTS} slots, no key. */
    public static Backend at(String url) {
        return new Backend(URI.create(url), List.of(), DEFAULT_SLOTS, null, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_FIRST_TOKEN_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, null);
    }

    public Backend withModels(List<String> names) {
        return new Backend(baseUrl, names, slots, apiKey, connectTimeout, firstTokenTimeout, totalTimeout, priorityField);
    }

    public Backend withSlots(int n) {
        return new Backend(baseUrl, models, n, apiKey, connectTimeout, firstTokenTimeout, totalTimeout, priorityField);
    }

    public Backend withApiKey(String key) {
        return new Backend(baseUrl, models, slots, key, connectTimeout, firstTokenTimeout, totalTimeout, priorityField);
    }

    public Backend withTimeouts(Duration connect, Duration firstToken, Duration total) {
        return new Backend(baseUrl, models, slots, apiKey, connect, firstToken, total, priorityField);
    }

    public Backend withPriorityField(String field) {
        return new Backend(baseUrl, models, slots, apiKey, connectTimeout, firstTokenTimeout, totalTimeout, field);
    }

    /**
     * Parses the command line's {@code URL[,model=NAME][,slots=N][,key_env=VAR][,priority=FIELD]}
     * ({@code model} repeatable).
     *
     * @param env looks up the variable {@code key_env} names
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static Backend parse(String text, Function<String, String> env) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--backend needs a URL, as in http://localhost:8000[,model=NAME][,slots=N]");
        }
        String[] parts = text.split(",");
        String shown = text.replaceFirst("//[^/@]*@", "//…@"); // a refusal must not repeat a password it was given
        Backend backend;
        try {
            backend = at(parts[0].trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backend " + shown + ": " + e.getMessage(), e);
        }
        List<String> models = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--backend " + shown + ": expected key=value, got '" + part + "'");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            switch (key) {
                case "model" -> models.add(value);
                case "slots" -> {
                    try {
                        backend = backend.withSlots(Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--backend " + shown + ": slots must be a whole number, got '" + value + "'");
                    }
                }
                case "key_env" -> {
                    String key1 = env.apply(value);
                    if (key1 == null || key1.isBlank()) {
                        throw new IllegalArgumentException("--backend " + shown + ": environment variable " + value + " is not set");
                    }
                    try {
                        backend = backend.withApiKey(key1.trim());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--backend " + shown + ": environment variable " + value + " holds no usable key: "
                                + e.getMessage());
                    }
                }
                case "priority" -> backend = backend.withPriorityField(value);
                default -> throw new IllegalArgumentException("--backend " + shown + ": unknown key '" + key
                        + "'; known: model, slots, key_env, priority");
            }
        }
        return models.isEmpty() ? backend : backend.withModels(models);
    }

    @Override
    public String toString() {
        return "Backend[" + baseUrl + ", models=" + models + ", slots=" + slots + ", key=" + (apiKey == null ? "none" : "***")
                + ", priorityField=" + priorityField + "]";
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }
}
