package io.queuedeck.engine.config;

import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@code serve --config FILE} YAML file sets: the server, the engine, clients and their
 * tokens, tenant rates, callbacks and the data directory. Read by {@link #load}; every setting is
 * optional, and a value the file leaves out is null here, so the component's builder keeps its own
 * default. Tokens and secrets are held, never shown: {@code toString} masks them.
 *
 * @param server    the REST server
 * @param engine    the engine behind it
 * @param clients   bearer tokens and what each may do; empty when the file names none
 * @param tenants   per-tenant submission rates
 * @param callbacks result callback delivery
 * @param dataDir   where durable state lives (relative paths are resolved against the file's folder), or null
 * @param store     which task store keeps the queue
 */
public record ServeConfig(ServerSection server, EngineSection engine, List<ClientSection> clients,
                          TenantSection tenants, CallbackSection callbacks, Path dataDir, StoreSection store) {

    /** Nothing set: every default applies. */
    public static final ServeConfig EMPTY = new ServeConfig(new ServerSection(null, null, null, null, null, null, null),
            new EngineSection(null, null, null), List.of(), new TenantSection(null, Map.of()),
            new CallbackSection(null, null, null, null, null), null, new StoreSection(null));

    public ServeConfig {
        clients = List.copyOf(clients);
    }

    /**
     * Reads and checks a config file.
     *
     * @param env looks up environment variables (tokens and secrets are named by variable)
     * @throws ConfigException naming the file and the key path of the first problem
     */
    public static ServeConfig load(Path file, Function<String, String> env) {
        return ConfigReader.read(file, env);
    }

    /**
     * The {@code server} section.
     *
     * @param host         address to bind
     * @param port         port to bind, 0 for any free one
     * @param maxBodyBytes largest request body
     * @param maxQueued    waiting tasks beyond which submissions get 429
     * @param threads      request threads: virtual, platform or auto
     * @param maxInFlightBodyBytes request body bytes all requests may hold at once
     * @param bodyTimeout  how long a request body may take to arrive
     */
    public record ServerSection(String host, Integer port, Long maxBodyBytes, Integer maxQueued, String threads,
                                Long maxInFlightBodyBytes, Duration bodyTimeout) {}

    /**
     * The {@code engine} section.
     *
     * @param policy    scheduling policy by registry name
     * @param instances simulated GPU instances
     * @param maxQueuedBytes byte budget of queued task bodies
     */
    public record EngineSection(String policy, Integer instances, Long maxQueuedBytes) {}

    /**
     * One entry of {@code clients}.
     *
     * @param token  the bearer token, read from the named environment variable or file
     * @param policy its name, priority cap and request rate
     */
    public record ClientSection(String token, ClientPolicy policy) {
        @Override
        public String toString() {
            return "ClientSection[token=***, policy=" + policy + "]";
        }
    }

    /**
     * The {@code tenants} section.
     *
     * @param defaultRate the rate of every tenant not listed, or null for none
     * @param rates       tenants' own rates
     */
    public record TenantSection(RateLimit defaultRate, Map<String, RateLimit> rates) {
        public TenantSection {
            rates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rates));
        }
    }

    /**
     * The {@code store} section: {@code {type: embedded}} (the default) or {@code {type: redis, uri: redis://…}}.
     *
     * @param redisUri the Redis URI, or null for the embedded store; shown without its password
     */
    public record StoreSection(String redisUri) {
        @Override
        public String toString() {
            return "StoreSection[redisUri=" + (redisUri == null ? "none" : redisUri.replaceFirst("//[^/@]*@", "//***@")) + "]";
        }
    }

    /**
     * The {@code callbacks} section.
     *
     * @param maxAttempts  attempts in all, the first included
     * @param baseDelay    backoff before the second attempt (given together with maxDelay)
     * @param maxDelay     the backoff's cap
     * @param allowedHosts hosts callback URLs may name
     * @param secret       the callback signing secrets (Standard Webhooks {@code whsec_…}, space-separated), read
     *                     from the named environment variable
     */
    public record CallbackSection(Integer maxAttempts, Duration baseDelay, Duration maxDelay, List<String> allowedHosts,
                                  byte[] secret) {
        public CallbackSection {
            allowedHosts = allowedHosts == null ? null : List.copyOf(allowedHosts);
            secret = secret == null ? null : secret.clone();
        }

        @Override
        public byte[] secret() {
            return secret == null ? null : secret.clone();
        }

        @Override
        public String toString() {
            return "CallbackSection[maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxDelay=" + maxDelay
                    + ", allowedHosts=" + allowedHosts + ", secret=" + (secret == null ? "none" : "***") + "]";
        }
    }
}
