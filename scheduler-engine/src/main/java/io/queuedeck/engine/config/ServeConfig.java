package io.queuedeck.engine.config;

import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.tier.FlowSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@code serve} config file sets, section by section as docs/configuration.md lists them:
 * the server, the engine, the executor, the scheduling policy, clients and their tokens, tenant
 * rates, callbacks and the store. Read by {@link #load}; every setting is optional, and a value
 * the file leaves out is null here, so the component's builder keeps its own default. Tokens and
 * secrets are held, never shown: {@code toString} masks them.
 *
 * @param server    the REST server
 * @param engine    the engine's own limits
 * @param executor  what runs the tasks
 * @param policy    the scheduling policy and its parameters
 * @param clients   bearer tokens and what each may do; empty when the file names none
 * @param tenants   per-tenant submission rates
 * @param callbacks result callback delivery
 * @param store     where durable state lives
 * @param flow      tier limits and tenant weights ({@code tiers}, {@code tenants.weights}; docs/flow-control.md)
 * @param priorityRules how tasks get their priority; {@link RuleSet#NONE} when the file lists none
 */
public record ServeConfig(ServerSection server, EngineSection engine, ExecutorSection executor, PolicySection policy,
                          List<ClientSection> clients, TenantSection tenants, CallbackSection callbacks, StoreSection store,
                          FlowSettings flow, RuleSet priorityRules) {

    /** Nothing set: every default applies. */
    public static final ServeConfig EMPTY = new ServeConfig(new ServerSection(null, null, null, null, null, null, null, null),
            new EngineSection(null), new ExecutorSection(null, List.of()), new PolicySection(null, null), List.of(),
            new TenantSection(null, Map.of(), null), new CallbackSection(null, null, null, null, null), new StoreSection(null, null, null),
            FlowSettings.NONE, RuleSet.NONE);

    /** Where the documented default file is on the classpath (resources/config/queuedeck.yaml in the repository). */
    public static final String DEFAULT_RESOURCE = "/queuedeck/config/queuedeck.yaml";

    public ServeConfig {
        clients = List.copyOf(clients);
        priorityRules = priorityRules == null ? RuleSet.NONE : priorityRules;
    }

    /**
     * Reads and checks a config file.
     *
     * @param env looks up environment variables (tokens and secrets are named by variable)
     * @throws ConfigException listing every problem, each with the file, its key path and line
     */
    public static ServeConfig load(Path file, Function<String, String> env) {
        return ConfigReader.read(file, env);
    }

    /**
     * Reads and checks a config given as text, as a start (not a change of a running config).
     *
     * @param name   how messages name the text
     * @param folder what relative paths in it are resolved against
     * @throws ConfigException listing every problem, each with its key path and line
     */
    public static ServeConfig read(String name, String text, Path folder, Function<String, String> env) {
        return ConfigReader.read(name, text, folder, env);
    }

    /** The documented default file this jar carries, as text. */
    public static String defaultText() {
        try (InputStream in = ServeConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default config " + DEFAULT_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The built-in defaults: the documented default file this jar carries, read as any file is.
     *
     * @param env looks up environment variables (the default file names none)
     */
    public static ServeConfig defaults(Function<String, String> env) {
        try (InputStream in = ServeConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default config " + DEFAULT_RESOURCE + " is missing from the classpath");
            }
            return ConfigReader.read("built-in defaults (" + DEFAULT_RESOURCE + ")", new String(in.readAllBytes(),
                    StandardCharsets.UTF_8), Path.of("").toAbsolutePath(), env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
     * @param shutdownGrace on SIGTERM, how long running tasks may finish
     */
    public record ServerSection(String host, Integer port, Long maxBodyBytes, Integer maxQueued, String threads,
                                Long maxInFlightBodyBytes, Duration bodyTimeout, Duration shutdownGrace) {}

    /**
     * The {@code engine} section.
     *
     * @param maxQueuedBytes byte budget of queued task bodies
     */
    public record EngineSection(Long maxQueuedBytes) {}

    /**
     * The {@code executor} section.
     *
     * @param instances simulated GPU instances
     * @param backends  OpenAI-compatible inference servers that replace the simulated GPUs; empty for none
     * @param chunkQuantumTokens chunked generation on backends: tokens a request asks for at most
     *                  (decision 0027), or null when it is off
     */
    public record ExecutorSection(Integer instances, List<Backend> backends, Integer chunkQuantumTokens) {
        /** The most simulated GPUs one engine runs. */
        public static final int MAX_INSTANCES = 1_024;

        public ExecutorSection {
            backends = backends == null ? List.of() : List.copyOf(backends);
        }

        /** Without chunked generation. */
        public ExecutorSection(Integer instances, List<Backend> backends) {
            this(instances, backends, null);
        }
    }

    /**
     * The {@code policy} section.
     *
     * @param name       scheduling policy by registry name
     * @param parameters the policy's own parameters as text, or null when the file gives none
     */
    public record PolicySection(String name, Map<String, String> parameters) {
        public PolicySection {
            parameters = parameters == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        }
    }

    /**
     * The {@code store} section.
     *
     * @param dataDir           where durable state lives (relative paths are resolved against the file's folder), or null
     * @param idempotencyWindow how long a finished task answers an identical resubmission
     * @param redisUri          {@code type: redis}: the queue is kept in Redis at this URI (shown without its
     *                          password); null for the embedded store in {@code dataDir}
     * @param node              {@code store.node}: this process is a node of a queue shared in Redis
     *                          (docs/distributed.md); null when not
     * @param minFreeMb         {@code store.min_free_mb}: free MiB on the data directory's disk under which
     *                          {@code /readyz} fails (0: never); null for the default
     */
    public record StoreSection(Path dataDir, Duration idempotencyWindow, String redisUri, NodeSection node, Integer minFreeMb) {
        /** Free MiB under which readiness fails when the file does not say: RabbitMQ's disk alarm is at 50 MB. */
        public static final int DEFAULT_MIN_FREE_MB = 64;

        /** A store without distributed mode. */
        public StoreSection(Path dataDir, Duration idempotencyWindow, String redisUri) {
            this(dataDir, idempotencyWindow, redisUri, null, null);
        }

        /** {@link #minFreeMb} in bytes, the default when not given. */
        public long minFreeBytes() {
            return (minFreeMb == null ? DEFAULT_MIN_FREE_MB : minFreeMb) * 1024L * 1024L;
        }

        @Override
        public String toString() {
            return "StoreSection[dataDir=" + dataDir + ", idempotencyWindow=" + idempotencyWindow + ", redisUri="
                    + (redisUri == null ? "none" : redisUri.replaceFirst("//[^/@]*@", "//***@")) + ", node=" + node
                    + ", minFreeMb=" + minFreeMb + "]";
        }
    }

    /**
     * {@code store.node}: distributed mode's settings (each null when not given; the flags
     * {@code --node}, {@code --queue}, {@code --lease}, {@code --prefetch}, {@code --max-attempts} win).
     */
    public record NodeSection(String name, String queue, Duration lease, Integer prefetch, Integer maxAttempts) {
        /** The node's name: the flag's, else the file's; refused when neither gives one. */
        public static String nameOf(String flag, NodeSection file) {
            String name = flag != null ? flag : file.name();
            if (name == null) {
                throw new IllegalArgumentException("store.node makes this process a node of a shared queue and needs its"
                        + " name: store.node.name in the config file, or --node NAME");
            }
            return name;
        }
    }

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
     * @param byteShares  how much of {@code engine.max_queued_bytes} one tenant may hold
     */
    public record TenantSection(RateLimit defaultRate, Map<String, RateLimit> rates,
                                io.queuedeck.engine.task.TenantByteShares byteShares) {
        public TenantSection {
            rates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rates));
            byteShares = byteShares == null ? io.queuedeck.engine.task.TenantByteShares.NONE : byteShares;
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

        /** Sets what this section sets on {@code callbacks}; what it leaves out keeps the builder's default. */
        public void applyTo(io.queuedeck.engine.callback.CallbackDispatcher.Builder callbacks) {
            if (secret != null) {
                // several secrets, space-separated, while receivers move to a new one
                callbacks.signingSecrets(List.of(new String(secret, java.nio.charset.StandardCharsets.UTF_8).strip().split("\\s+")));
            }
            if (allowedHosts != null && !allowedHosts.isEmpty()) {
                callbacks.allowedHosts(allowedHosts);
            }
            if (maxAttempts != null) {
                callbacks.maxAttempts(maxAttempts);
            }
            if (baseDelay != null) {
                callbacks.backoff(baseDelay, maxDelay);
            }
        }

        @Override
        public String toString() {
            return "CallbackSection[maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxDelay=" + maxDelay
                    + ", allowedHosts=" + allowedHosts + ", secret=" + (secret == null ? "none" : "***") + "]";
        }
    }
}
