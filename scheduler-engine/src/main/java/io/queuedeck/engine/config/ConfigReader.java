package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import io.queuedeck.engine.api.Scope;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.tier.FlowSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a {@link ServeConfig} from YAML: the tree first, then each section by hand, so every
 * message names its key path; problems are collected, with their lines ({@link Problems}), and
 * refused together at the end (decision 0022).
 */
final class ConfigReader {
    /** The largest token or API key file read: a secret is a line; this leaves room for any real one. */
    static final int SECRET_FILE_BYTES = 64 << 10;

    private static final Set<String> THREADS = Set.of("virtual", "platform", "auto");

    private ConfigReader() {}

    static ServeConfig read(Path file, Function<String, String> env) {
        return read(file.toString(), ConfigFiles.read(file), file.toAbsolutePath().getParent(), env);
    }

    /**
     * Reads config text; every problem is collected before one {@link ConfigException} lists them all.
     *
     * @param name   how messages name the file
     * @param folder what relative paths in it are resolved against
     */
    static ServeConfig read(String name, String text, Path folder, Function<String, String> env) {
        YamlText yaml = YamlText.parse(name, text, "config file");
        JsonNode root = yaml.root();
        Problems problems = yaml.problems();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return ServeConfig.EMPTY; // an empty file sets nothing
        }
        Section top = Section.of(problems, "", root);
        if (top == null) {
            problems.throwIfAny();
        }
        ServeConfig.ServerSection server = server(top.section("server"));
        ServeConfig.EngineSection engine = engine(top.section("engine"));
        ServeConfig.ExecutorSection executor = executor(top.section("executor"), folder, env);
        ServeConfig.PolicySection policy = policy(top.section("policy"));
        List<ServeConfig.ClientSection> clients = clients(top, folder, env);
        Section tenantSection = top.section("tenants");
        Map<String, Double> weights = tenantSection == null ? Map.of() : FlowReader.weights(tenantSection);
        ServeConfig.TenantSection tenants = tenants(tenantSection);
        ServeConfig.CallbackSection callbacks = callbacks(top.section("callbacks"), env);
        ServeConfig.StoreSection store = store(top.section("store"), folder);
        FlowSettings flow = FlowReader.tiers(top.section("tiers"), weights);
        RuleSet rules = RulesReader.read(top);
        AlertSettings.read(top.section("alerts"), flow.table()); // the console's: checked here with the rest of the file
        top.retired("data_dir", "has moved to store.data_dir");
        top.retired("backends", "has moved to executor.backends");
        top.finish();
        problems.throwIfAny();
        return new ServeConfig(server, engine, executor, policy, clients, tenants, callbacks, store, flow, rules);
    }

    private static ServeConfig.ServerSection server(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.server();
        }
        String host = s.string("host");
        Integer port = s.integer("port", 0, 65_535);
        Long maxBody = s.whole("max_body_bytes", 1, Integer.MAX_VALUE - 8);
        Integer maxQueued = s.integer("max_queued", 1, Integer.MAX_VALUE);
        String threads = s.string("threads");
        Long inFlight = s.whole("max_inflight_body_bytes", 1, Long.MAX_VALUE);
        Duration bodyTimeout = s.duration("body_timeout");
        Duration shutdownGrace = s.duration("shutdown_grace");
        if (bodyTimeout != null && bodyTimeout.isZero()) {
            s.problem(s.at("body_timeout"), "must be positive, got 0");
            bodyTimeout = null;
        }
        if (threads != null && !THREADS.contains(threads)) {
            s.problem(s.at("threads"), "must be virtual, platform or auto, got '" + threads + "'");
            threads = null;
        }
        s.finish();
        return new ServeConfig.ServerSection(host, port, maxBody, maxQueued, threads, inFlight, bodyTimeout, shutdownGrace);
    }

    private static ServeConfig.EngineSection engine(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.engine();
        }
        Long maxQueuedBytes = s.whole("max_queued_bytes", 1, Long.MAX_VALUE);
        s.retired("policy", "has moved to policy.name");
        s.retired("instances", "has moved to executor.instances");
        s.finish();
        return new ServeConfig.EngineSection(maxQueuedBytes);
    }

    /** Tokens a chunk asks for when chunked generation is on and names no quantum: about a second of decoding. */
    static final int DEFAULT_CHUNK_TOKENS = 64;

    private static ServeConfig.ExecutorSection executor(Section s, Path folder, Function<String, String> env) {
        if (s == null) {
            return ServeConfig.EMPTY.executor();
        }
        Integer instances = s.integer("instances", 1, ServeConfig.ExecutorSection.MAX_INSTANCES);
        List<Backend> backends = backends(s, folder, env);
        Integer chunks = chunkedGeneration(s.section("chunked_generation"));
        s.finish();
        return new ServeConfig.ExecutorSection(instances, backends, chunks);
    }

    /** {@code executor.chunked_generation: {enabled, quantum_tokens}}: the quantum when enabled, else null. */
    private static Integer chunkedGeneration(Section s) {
        if (s == null) {
            return null;
        }
        JsonNode enabled = s.raw("enabled");
        Integer quantum = s.integer("quantum_tokens", 1, 1_000_000);
        s.finish();
        if (enabled != null && !enabled.isBoolean()) {
            s.problem(s.at("enabled"), "must be true or false, got " + Section.shown(enabled));
            return null;
        }
        if (enabled == null || !enabled.asBoolean()) {
            return null;
        }
        return quantum == null ? DEFAULT_CHUNK_TOKENS : quantum;
    }

    /** {@code executor.backends}: a list of {url, models, slots, api_key_env | api_key_file, priority_field, timeouts}. */
    private static List<Backend> backends(Section executor, Path folder, Function<String, String> env) {
        List<Backend> backends = new ArrayList<>();
        for (Section b : executor.sections("backends")) {
            String url = b.string("url");
            if (url == null) {
                b.problem(b.at("url"), "is required");
                continue; // its other keys are not read: no entry to check them against
            }
            Backend backend;
            try {
                backend = Backend.at(url);
            } catch (IllegalArgumentException e) {
                b.problem(b.at("url"), e.getMessage());
                continue;
            }
            List<String> models = b.strings("models");
            if (models != null) {
                backend = backend.withModels(models);
            }
            Integer slots = b.integer("slots", 1, 10_000);
            if (slots != null) {
                backend = backend.withSlots(slots);
            }
            String keyEnv = b.string("api_key_env");
            String keyFile = b.string("api_key_file");
            if (keyEnv != null && keyFile != null) {
                b.problem(b.path(), "takes one of api_key_env or api_key_file, not both");
            } else if (keyEnv != null) {
                String key = env.apply(keyEnv);
                if (key == null || key.isBlank()) {
                    b.problem(b.at("api_key_env"), "names " + keyEnv + ", which is not set or empty");
                } else {
                    try {
                        backend = backend.withApiKey(key.strip());
                    } catch (IllegalArgumentException e) {
                        b.problem(b.at("api_key_env"), "names " + keyEnv + ", whose value is no usable key: " + e.getMessage());
                    }
                }
            } else if (keyFile != null) {
                Path path = folder.resolve(keyFile);
                try { // bounded, regular files only, as a token file
                    String key = ConfigFiles.read(path, "key file", SECRET_FILE_BYTES).strip();
                    if (key.isEmpty()) { // every request then went out with "Authorization: Bearer " and nothing after it
                        b.problem(b.at("api_key_file"), "names " + path + ", which is empty");
                    } else {
                        backend = backend.withApiKey(key);
                    }
                } catch (ConfigException e) {
                    b.problem(b.at("api_key_file"), e.getMessage());
                } catch (IllegalArgumentException e) {
                    b.problem(b.at("api_key_file"), "holds no usable key: " + e.getMessage());
                }
            }
            String priorityField = b.string("priority_field");
            if (priorityField != null) {
                backend = backend.withPriorityField(priorityField);
            }
            Duration connect = b.duration("connect_timeout");
            Duration firstToken = b.duration("first_token_timeout");
            Duration total = b.duration("total_timeout");
            backend = backend.withTimeouts(connect != null ? connect : backend.connectTimeout(),
                    firstToken != null ? firstToken : backend.firstTokenTimeout(), total != null ? total : backend.totalTimeout());
            b.finish();
            for (Backend earlier : backends) {
                if (earlier.baseUrl().equals(backend.baseUrl())) {
                    b.problem(b.at("url"), "names " + backend.baseUrl() + " a second time");
                }
            }
            backends.add(backend);
        }
        return backends;
    }

    private static ServeConfig.PolicySection policy(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.policy();
        }
        String name = s.string("name");
        // a config runs live: a policy that needs a simulation's knowledge is no choice here
        List<String> live = PolicyRegistry.names().stream().filter(n -> !PolicyRegistry.isSimulationOnly(n)).toList();
        if (name != null && PolicyRegistry.isSimulationOnly(name)) {
            s.problem(s.at("name"), "'" + name + "' needs the true output lengths that only a simulation knows"
                    + " (queuedeck-engine simulate); a running engine takes " + String.join(", ", live));
            name = null;
        } else if (name != null && !PolicyRegistry.names().contains(name)) {
            s.problem(s.at("name"), "must be one of " + String.join(", ", live) + ", got '" + name + "'");
            name = null;
        }
        Map<String, String> parameters = s.texts("parameters");
        if (parameters != null && !parameters.isEmpty()) {
            if (name == null && !s.has("name")) {
                s.problem(s.at("parameters"), "needs policy.name beside it: parameters belong to one policy");
            } else if (name != null) {
                try {
                    PolicyRegistry.create(name, PolicyConfig.of(parameters)); // the policy reads and checks its own
                } catch (IllegalArgumentException e) {
                    s.problem(s.at("parameters"), "are refused by policy " + name + ": " + e.getMessage());
                }
            }
        }
        s.finish();
        return new ServeConfig.PolicySection(name, parameters == null ? null : parameters);
    }

    private static ServeConfig.StoreSection store(Section s, Path folder) {
        if (s == null) {
            return ServeConfig.EMPTY.store();
        }
        String dataDir = s.string("data_dir");
        Duration window = s.duration("idempotency_window");
        String type = s.string("type");
        String uri = s.string("uri");
        Integer minFreeMb = s.integer("min_free_mb", 0, 1_000_000);
        ServeConfig.NodeSection node = node(s.section("node"));
        s.finish();
        if (node != null && !"redis".equals(type)) {
            s.problem(s.at("node"), "is only for type redis (a node shares its queue in Redis)");
        }
        String redisUri = null;
        if (type == null || type.equals("embedded")) {
            if (uri != null) {
                s.problem(s.at("uri"), "is only for type redis");
            }
        } else if (type.equals("redis")) {
            if (uri == null) {
                s.problem(s.at("uri"), "is required with type redis, e.g. redis://127.0.0.1:6379/0");
            } else if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
                s.problem(s.at("uri"), "must start with redis:// or rediss://");
            } else {
                redisUri = uri;
            }
        } else {
            s.problem(s.at("type"), "must be embedded or redis, got '" + type + "'");
        }
        return new ServeConfig.StoreSection(dataDir == null ? null : folder.resolve(dataDir), window, redisUri, node, minFreeMb);
    }

    /** {@code store.node}: this process as a node of a shared queue (docs/distributed.md). */
    private static ServeConfig.NodeSection node(Section s) {
        if (s == null) {
            return null;
        }
        String name = s.string("name");
        String queue = s.string("queue");
        Duration lease = s.duration("lease");
        Integer prefetch = s.integer("prefetch", 0, io.queuedeck.engine.cluster.ClusterNode.MAX_PREFETCH);
        Integer maxAttempts = s.integer("max_attempts", 1, 1_000);
        s.finish();
        java.util.regex.Pattern id = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");
        // no name: --node gives it (the flag wins over the key); without either the process refuses to start
        if (name != null && !id.matcher(name).matches()) {
            s.problem(s.at("name"), "must be 1 to 64 letters, digits, '_', '.' or '-', got '" + name + "'");
        }
        if (queue != null && !id.matcher(queue).matches()) {
            s.problem(s.at("queue"), "must be 1 to 64 letters, digits, '_', '.' or '-', got '" + queue + "'");
        }
        if (lease != null && lease.toMillis() < 100) {
            s.problem(s.at("lease"), "must be at least 100ms, got " + lease);
        }
        if (lease != null && lease.compareTo(io.queuedeck.engine.cluster.SharedQueue.MAX_LEASE) > 0) {
            s.problem(s.at("lease"), "must be at most 1h (a dead node's claimed tasks wait that long for another node), got " + lease);
        }
        return new ServeConfig.NodeSection(name, queue, lease, prefetch, maxAttempts);
    }

    private static List<ServeConfig.ClientSection> clients(Section top, Path folder, Function<String, String> env) {
        List<ServeConfig.ClientSection> clients = new ArrayList<>();
        Map<String, String> namesSeen = new HashMap<>();
        Map<String, String> tokensSeen = new HashMap<>();
        Map<String, String> boundTenants = new HashMap<>(); // tenant → the first client bound to it
        for (Section c : top.sections("clients")) {
            JsonNode bound = c.raw("tenant");
            if (bound != null && bound.isTextual()) {
                boundTenants.putIfAbsent(bound.asText(), c.path());
            }
        }
        for (Section c : top.sections("clients")) {
            int before = c.problemCount();
            String where = c.path();
            String name = c.string("name");
            if (name == null && c.problemCount() == before) {
                c.problem(c.at("name"), "is required");
            } else if (name != null && namesSeen.putIfAbsent(name, where) != null) {
                c.problem(c.at("name"), "'" + name + "' is already the name of " + namesSeen.get(name));
            } else if (name != null && name.chars().anyMatch(ConfigException::unprintable)) {
                c.problem(c.at("name"), "must not hold control characters (it is the actor of the audit trail and the log)");
            }
            String token = token(c, folder, env);
            if (token != null && tokensSeen.putIfAbsent(token, where) != null) {
                c.problem(where, "has the same token as " + tokensSeen.get(token));
            }
            Integer maxPriority = c.integer("max_priority", 0, 9);
            Double rate = c.positive("requests_per_second");
            Integer burst = c.integer("burst", 1, Integer.MAX_VALUE);
            if (rate == null && burst != null && !c.has("requests_per_second")) {
                c.problem(c.at("burst"), "needs requests_per_second beside it");
            }
            String tenant = c.string("tenant");
            Set<Scope> scopes = scopes(c);
            if (tenant != null && scopes == null && !c.has("scopes")) {
                c.problem(c.at("scopes"), "is required for a client bound to a tenant (submit, read, operate)");
            }
            if (tenant != null && scopes != null && scopes.contains(Scope.ADMIN)) {
                c.problem(c.at("tenant"), "must be left out for an admin client: admin sees every tenant");
            }
            if (tenant != null) { // else every request of the client would be refused, blaming the client
                TaskSpecValidator.tenantProblem(tenant).ifPresent(problem -> c.problem(c.at("tenant"), problem));
            }
            boolean submits = scopes == null || scopes.contains(Scope.SUBMIT) || scopes.contains(Scope.ADMIN);
            if (tenant == null && name != null && submits && !boundTenants.containsKey(name)
                    && name.chars().noneMatch(ConfigException::unprintable)) {
                // its front-door requests carry its name as their tenant: every one was refused, blaming the client
                TaskSpecValidator.tenantProblem(name).ifPresent(problem -> c.problem(c.at("name"), "is the tenant of its"
                        + " front-door requests, as it is bound to no tenant, and " + problem + "; rename it or bind it (tenant: …)"));
            }
            if (tenant == null && name != null && boundTenants.containsKey(name)) {
                c.problem(c.at("name"), "'" + name + "' is the tenant " + boundTenants.get(name) + " is bound to: this client is"
                        + " bound to none, so its front-door requests would be that tenant's; bind it (tenant: " + name
                        + ") or rename it");
            }
            c.finish();
            if (c.problemCount() == before) {
                clients.add(new ServeConfig.ClientSection(token, new ClientPolicy(name, maxPriority == null ? 0 : maxPriority,
                        rate == null ? 0 : rate, rate == null ? 0 : burst == null ? defaultBurst(rate) : burst, tenant, scopes)));
            }
        }
        return clients;
    }

    /** The client's token from its environment variable or file, stripped; null (with a problem) when unusable. */
    private static String token(Section c, Path folder, Function<String, String> env) {
        int before = c.problemCount();
        String tokenEnv = c.string("token_env");
        String tokenFile = c.string("token_file");
        if (c.problemCount() > before) {
            return null;
        }
        String token;
        if ((tokenEnv == null) == (tokenFile == null)) {
            c.problem(c.path(), "needs exactly one of token_env (an environment variable's name) or token_file");
            return null;
        } else if (tokenEnv != null) {
            token = env.apply(tokenEnv);
            if (token == null || token.isBlank()) {
                c.problem(c.at("token_env"), "names " + tokenEnv + ", which is not set or empty");
                return null;
            }
        } else {
            Path path = folder.resolve(tokenFile);
            try { // bounded, regular files only: /dev/zero ran the heap out, a FIFO held the control plane's lock
                token = ConfigFiles.read(path, "token file", SECRET_FILE_BYTES);
            } catch (ConfigException e) {
                c.problem(c.at("token_file"), e.getMessage());
                return null;
            }
            if (token.isBlank()) {
                c.problem(c.at("token_file"), "names an empty file: " + path);
                return null;
            }
        }
        token = token.strip();
        int tokenBytes = token.getBytes(StandardCharsets.UTF_8).length;
        if (tokenBytes < ClientPolicy.MIN_TOKEN_BYTES) {
            c.problem(c.at(tokenEnv != null ? "token_env" : "token_file"), "gives a token of " + tokenBytes
                    + " bytes; tokens must be at least " + ClientPolicy.MIN_TOKEN_BYTES + " bytes (e.g. openssl rand -hex 32)");
            return null;
        }
        return token;
    }

    private static Set<Scope> scopes(Section c) {
        List<String> scopeNames = c.strings("scopes");
        if (scopeNames == null) {
            return null;
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String key : scopeNames) {
            Scope scope = Scope.byKey(key);
            if (scope == null) {
                c.problem(c.at("scopes"), "must name submit, read, operate or admin, got '" + key + "'");
                return null;
            }
            scopes.add(scope);
        }
        if (scopes.isEmpty()) {
            c.problem(c.at("scopes"), "must name at least one of submit, read, operate, admin");
            return null;
        }
        return scopes;
    }

    private static ServeConfig.TenantSection tenants(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.tenants();
        }
        Section fallback = s.section("default");
        RateLimit defaultRate = fallback == null ? null : rate(fallback);
        Map<String, RateLimit> rates = new LinkedHashMap<>();
        s.named("rates").forEach((tenant, section) -> {
            RateLimit rate = rate(section);
            if (rate != null) {
                rates.put(tenant, rate);
            }
        });
        Double fallbackShare = s.fraction("max_queued_share");
        Map<String, Double> shares = new LinkedHashMap<>();
        Section own = s.section("max_queued_shares");
        Map<String, String> named = s.texts("max_queued_shares");
        if (own != null && named != null) {
            named.keySet().forEach(tenant -> {
                Double share = own.fraction(tenant);
                if (share != null) {
                    shares.put(tenant, share);
                }
            });
        }
        s.finish();
        return new ServeConfig.TenantSection(defaultRate, rates,
                new io.queuedeck.engine.task.TenantByteShares(fallbackShare == null ? 1 : fallbackShare, shares));
    }

    private static RateLimit rate(Section s) {
        Double rate = s.positive("requests_per_second");
        if (rate == null && !s.has("requests_per_second")) {
            s.problem(s.at("requests_per_second"), "is required");
        }
        Integer burst = s.integer("burst", 1, Integer.MAX_VALUE);
        s.finish();
        return rate == null ? null : new RateLimit(rate, burst == null ? defaultBurst(rate) : burst);
    }

    /** One second's worth of requests, at least 1. */
    private static int defaultBurst(double rate) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(rate)));
    }

    private static ServeConfig.CallbackSection callbacks(Section s, Function<String, String> env) {
        if (s == null) {
            return ServeConfig.EMPTY.callbacks();
        }
        Integer attempts = s.integer("max_attempts", 1, 100);
        Duration base = s.duration("base_delay");
        Duration cap = s.duration("max_delay");
        if (base != null && (base.isZero() || base.isNegative())) {
            s.problem(s.at("base_delay"), "must be longer than 0, got " + base);
            base = null;
        } else if (s.has("base_delay") != s.has("max_delay")) {
            String missing = s.has("base_delay") ? "max_delay" : "base_delay";
            s.problem(s.at(missing), "must be given together with " + s.at(missing.equals("base_delay") ? "max_delay" : "base_delay"));
        } else if (base != null && cap != null && cap.compareTo(base) < 0) {
            s.problem(s.at("max_delay"), "must not be shorter than " + s.at("base_delay") + ", got " + cap + " < " + base);
        }
        if (base == null || cap == null) {
            base = null; // both or neither
            cap = null;
        }
        List<String> hosts = s.strings("allowed_hosts");
        String secretEnv = s.string("secret_env");
        byte[] secret = null;
        if (secretEnv != null) {
            String value = env.apply(secretEnv);
            if (value == null || value.isBlank()) {
                s.problem(s.at("secret_env"), "names " + secretEnv + ", which is not set or empty");
            } else {
                secret = value.strip().getBytes(StandardCharsets.UTF_8);
            }
        }
        s.finish();
        return new ServeConfig.CallbackSection(attempts, base, cap, hosts, secret);
    }
}
