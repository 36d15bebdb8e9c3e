package io.queuedeck.engine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.RateLimit;
import io.queuedeck.engine.api.Scope;
import io.queuedeck.engine.policy.PolicyRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/** Reads a {@link ServeConfig} from YAML: the tree first, then each section by hand, so every message names its key path. */
final class ConfigReader {
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> THREADS = Set.of("virtual", "platform", "auto");

    private ConfigReader() {}

    static ServeConfig read(Path file, Function<String, String> env) {
        String name = file.toString();
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ConfigException(name + ": not valid YAML at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + name + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return ServeConfig.EMPTY; // an empty file sets nothing
        }
        Path folder = file.toAbsolutePath().getParent();
        Section top = new Section(name, "", root);
        ServeConfig.ServerSection server = server(top.section("server"));
        ServeConfig.EngineSection engine = engine(top.section("engine"));
        List<ServeConfig.ClientSection> clients = clients(top, folder, env);
        ServeConfig.TenantSection tenants = tenants(top.section("tenants"));
        ServeConfig.CallbackSection callbacks = callbacks(top.section("callbacks"), env);
        String dataDir = top.string("data_dir");
        ServeConfig.StoreSection store = store(top.section("store"));
        top.finish();
        return new ServeConfig(server, engine, clients, tenants, callbacks, dataDir == null ? null : folder.resolve(dataDir),
                store);
    }

    /** {@code store: {type: embedded}} or {@code {type: redis, uri: redis://HOST:PORT[/DB]}} (decision 0024). */
    private static ServeConfig.StoreSection store(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.store();
        }
        String type = s.string("type");
        String uri = s.string("uri");
        s.finish();
        if (type == null) {
            throw s.error(s.at("type"), "is required: embedded or redis");
        }
        return switch (type) {
            case "embedded" -> {
                if (uri != null) {
                    throw s.error(s.at("uri"), "is only for type redis");
                }
                yield ServeConfig.EMPTY.store();
            }
            case "redis" -> {
                if (uri == null) {
                    throw s.error(s.at("uri"), "is required with type redis, e.g. redis://127.0.0.1:6379/0");
                }
                if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
                    throw s.error(s.at("uri"), "must start with redis:// or rediss://");
                }
                yield new ServeConfig.StoreSection(uri);
            }
            default -> throw s.error(s.at("type"), "must be embedded or redis, got '" + type + "'");
        };
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
        java.time.Duration bodyTimeout = s.duration("body_timeout");
        if (bodyTimeout != null && bodyTimeout.isZero()) {
            throw s.error(s.at("body_timeout"), "must be positive, got 0");
        }
        if (threads != null && !THREADS.contains(threads)) {
            throw s.error(s.at("threads"), "must be virtual, platform or auto, got '" + threads + "'");
        }
        s.finish();
        return new ServeConfig.ServerSection(host, port, maxBody, maxQueued, threads, inFlight, bodyTimeout);
    }

    private static ServeConfig.EngineSection engine(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.engine();
        }
        String policy = s.string("policy");
        if (policy != null && !PolicyRegistry.names().contains(policy)) {
            throw s.error(s.at("policy"), "must be one of " + String.join(", ", PolicyRegistry.names())
                    + ", got '" + policy + "'");
        }
        Integer instances = s.integer("instances", 1, 1_024);
        Long maxQueuedBytes = s.whole("max_queued_bytes", 1, Long.MAX_VALUE);
        s.finish();
        return new ServeConfig.EngineSection(policy, instances, maxQueuedBytes);
    }

    private static List<ServeConfig.ClientSection> clients(Section top, Path folder, Function<String, String> env) {
        List<ServeConfig.ClientSection> clients = new ArrayList<>();
        Map<String, String> namesSeen = new HashMap<>();
        Map<String, String> tokensSeen = new HashMap<>();
        for (Section c : top.sections("clients")) {
            String name = c.string("name");
            if (name == null) {
                throw c.error(c.at("name"), "is required");
            }
            String where = c.path();
            if (namesSeen.putIfAbsent(name, where) != null) {
                throw c.error(c.at("name"), "'" + name + "' is already the name of " + namesSeen.get(name));
            }
            String tokenEnv = c.string("token_env");
            String tokenFile = c.string("token_file");
            String token;
            if ((tokenEnv == null) == (tokenFile == null)) {
                throw c.error(where, "needs exactly one of token_env (an environment variable's name) or token_file");
            } else if (tokenEnv != null) {
                token = env.apply(tokenEnv);
                if (token == null || token.isBlank()) {
                    throw c.error(c.at("token_env"), "names " + tokenEnv + ", which is not set or empty");
                }
            } else {
                Path path = folder.resolve(tokenFile);
                try {
                    token = Files.readString(path, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw c.error(c.at("token_file"), "cannot be read: " + path + " (" + e.getClass().getSimpleName() + ")");
                }
                if (token.isBlank()) {
                    throw c.error(c.at("token_file"), "names an empty file: " + path);
                }
            }
            token = token.strip();
            int tokenBytes = token.getBytes(StandardCharsets.UTF_8).length;
            if (tokenBytes < ClientPolicy.MIN_TOKEN_BYTES) {
                throw c.error(c.at(tokenEnv != null ? "token_env" : "token_file"), "gives a token of " + tokenBytes
                        + " bytes; tokens must be at least " + ClientPolicy.MIN_TOKEN_BYTES + " bytes (e.g. openssl rand -hex 32)");
            }
            if (tokensSeen.putIfAbsent(token, where) != null) {
                throw c.error(where, "has the same token as " + tokensSeen.get(token));
            }
            Integer maxPriority = c.integer("max_priority", 0, 9);
            Double rate = c.positive("requests_per_second");
            Integer burst = c.integer("burst", 1, Integer.MAX_VALUE);
            if (rate == null && burst != null) {
                throw c.error(c.at("burst"), "needs requests_per_second beside it");
            }
            String tenant = c.string("tenant");
            List<String> scopeNames = c.strings("scopes");
            Set<Scope> scopes = null;
            if (scopeNames != null) {
                scopes = EnumSet.noneOf(Scope.class);
                for (String key : scopeNames) {
                    Scope scope = Scope.byKey(key);
                    if (scope == null) {
                        throw c.error(c.at("scopes"), "must name submit, read, operate or admin, got '" + key + "'");
                    }
                    scopes.add(scope);
                }
                if (scopes.isEmpty()) {
                    throw c.error(c.at("scopes"), "must name at least one of submit, read, operate, admin");
                }
            }
            if (tenant != null && tenant.isBlank()) {
                throw c.error(c.at("tenant"), "must not be blank");
            }
            if (tenant != null && scopes == null) {
                throw c.error(c.at("scopes"), "is required for a client bound to a tenant (submit, read, operate)");
            }
            if (tenant != null && scopes.contains(Scope.ADMIN)) {
                throw c.error(c.at("tenant"), "must be left out for an admin client: admin sees every tenant");
            }
            c.finish();
            clients.add(new ServeConfig.ClientSection(token, new ClientPolicy(name, maxPriority == null ? 0 : maxPriority,
                    rate == null ? 0 : rate, rate == null ? 0 : burst == null ? defaultBurst(rate) : burst, tenant, scopes)));
        }
        return clients;
    }

    private static ServeConfig.TenantSection tenants(Section s) {
        if (s == null) {
            return ServeConfig.EMPTY.tenants();
        }
        Section fallback = s.section("default");
        RateLimit defaultRate = fallback == null ? null : rate(fallback);
        Map<String, RateLimit> rates = new LinkedHashMap<>();
        s.named("rates").forEach((tenant, section) -> rates.put(tenant, rate(section)));
        s.finish();
        return new ServeConfig.TenantSection(defaultRate, rates);
    }

    private static RateLimit rate(Section s) {
        Double rate = s.positive("requests_per_second");
        if (rate == null) {
            throw s.error(s.at("requests_per_second"), "is required");
        }
        Integer burst = s.integer("burst", 1, Integer.MAX_VALUE);
        s.finish();
        return new RateLimit(rate, burst == null ? defaultBurst(rate) : burst);
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
        if ((base == null) != (cap == null)) {
            throw s.error(s.at(base == null ? "base_delay" : "max_delay"), "must be given together with "
                    + s.at(base == null ? "max_delay" : "base_delay"));
        }
        if (base != null && (base.isZero() || base.isNegative())) {
            throw s.error(s.at("base_delay"), "must be longer than 0, got " + base);
        }
        if (base != null && cap.compareTo(base) < 0) {
            throw s.error(s.at("max_delay"), "must not be shorter than " + s.at("base_delay") + ", got " + cap + " < " + base);
        }
        List<String> hosts = s.strings("allowed_hosts");
        String secretEnv = s.string("secret_env");
        byte[] secret = null;
        if (secretEnv != null) {
            String value = env.apply(secretEnv);
            if (value == null || value.isBlank()) {
                throw s.error(s.at("secret_env"), "names " + secretEnv + ", which is not set or empty");
            }
            secret = value.strip().getBytes(StandardCharsets.UTF_8);
        }
        s.finish();
        return new ServeConfig.CallbackSection(attempts, base, cap, hosts, secret);
    }
}
