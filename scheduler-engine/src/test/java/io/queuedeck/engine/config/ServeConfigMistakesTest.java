package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A config file's mistakes, each refused with its key path and its line in plain words: wrong
 * values and types, keys written null, YAML that is not what it looks like, and every problem
 * of a file in one refusal.
 */
class ServeConfigMistakesTest extends ServeConfigFixture {
    /** An escape sequence in a key or a value was printed as it was, and coloured or rewrote the operator's terminal. */
    @Test
    void problemsQuotingTheFile_writeItsControlCharactersAsEscapes() throws Exception {
        assertThat(refusal("policy:\n  name: \"fi\\afo\\u202E\"\n"))
                .startsWith("policy.name must be one of ").endsWith(", got 'fi\\u0007fo\\u202E'");
        assertThat(refusal("server:\n  \"bad\\e[31mkey\": 1\n")).startsWith("server.bad\\u001B[31mkey is not a known setting");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key            | serve: {}                                                     | serve is not a known setting (known here: server, engine, executor, policy, clients, tenants, callbacks, store, tiers, priority_rules, alerts)
            unknown key in a section         | server: {prot: 8080}                                          | server.prot is not a known setting (known here: host, port, max_body_bytes, max_queued, threads, max_inflight_body_bytes, body_timeout, shutdown_grace)
            unknown key in a list entry      | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, rate: 3}] | clients[0].rate is not a known setting (known here: name, token_env, token_file, max_priority, requests_per_second, burst, tenant, scopes)
            alert latency not a duration     | alerts: {p99_latency: {core: fast}}                           | alerts.p99_latency.core must be a duration such as 500ms, 2s, 1m or 1h, got 'fast'
            unknown alert key                | alerts: {p95: 3s}                                             | alerts.p95 is not a known setting
            port out of range                | server: {port: 70000}                                         | server.port must be between 0 and 65535, got 70000
            port not a number                | server: {port: eighty}                                        | server.port must be a whole number between 0 and 65535, got 'eighty'
            bad threads                      | server: {threads: green}                                      | server.threads must be virtual, platform or auto, got 'green'
            zero body timeout                | server: {body_timeout: 0s}                                    | server.body_timeout must be positive, got 0
            in-flight cap not a number       | server: {max_inflight_body_bytes: lots}                       | server.max_inflight_body_bytes must be a whole number between 1 and 9223372036854775807, got 'lots'
            queue byte budget zero           | engine: {max_queued_bytes: 0}                                 | engine.max_queued_bytes must be between 1 and 9223372036854775807, got 0
            unknown policy                   | policy: {name: lottery}                                       | policy.name must be one of
            unknown policy parameter         | policy: {name: mlfq, parameters: {q9_ms: 3}}                  | policy.parameters are refused by policy mlfq:
            parameters without a policy      | policy: {parameters: {q0_ms: 3}}                              | policy.parameters needs policy.name beside it
            zero instances                   | executor: {instances: 0}                                      | executor.instances must be between 1 and 1024, got 0
            policy in its old place          | engine: {policy: fifo}                                        | engine.policy has moved to policy.name
            instances in their old place     | engine: {instances: 2}                                        | engine.instances has moved to executor.instances
            data dir in its old place        | data_dir: state                                               | data_dir has moved to store.data_dir
            tier cap negative                | tiers: {core: {max_concurrency: -1}}                          | tiers.core.max_concurrency must be between 1 and 1000000, got -1
            unknown tier                     | tiers: {gold: {share: 1}}                                     | tiers.gold is not a tier: the tiers are core, normal, batch
            dead-letter tier limits          | tiers: {dead_letter: {max_queue: {tasks: 3}}}                 | tiers.dead_letter takes no limits
            tier share zero                  | tiers: {batch: {share: 0}}                                    | tiers.batch.share must be a number above 0, got 0
            bad degrade                      | tiers: {batch: {degrade: drop}}                               | tiers.batch.degrade must be one of reject, reject_lowest, spill, park, got 'drop'
            spill from the last tier         | tiers: {batch: {degrade: spill}}                              | tiers.batch.degrade cannot be spill in the last tier
            demote from the last tier        | tiers: {batch: {queue_ttl: 1s, timeout_action: demote}}       | tiers.batch.timeout_action cannot be demote in the last tier
            timeout action without ttl       | tiers: {core: {timeout_action: demote}}                       | tiers.core.timeout_action needs queue_ttl beside it
            bad fairness                     | tiers: {normal: {fairness: lottery}}                          | tiers.normal.fairness must be one of none, round_robin, vtc, got 'lottery'
            queue limit zero                 | tiers: {normal: {max_queue: {tasks: 0}}}                      | tiers.normal.max_queue.tasks must be between 1 and 2147483647, got 0
            retry cap below base             | tiers: {core: {retries: {base_delay: 2s, max_delay: 1s}}}     | tiers.core.retries.max_delay must not be shorter than tiers.core.retries.base_delay
            evict from the last tier         | tiers: {batch: {evict_lower: true}}                           | tiers.batch.evict_lower cannot be true in the last tier
            evict not a flag                 | tiers: {core: {evict_lower: yes please}}                      | tiers.core.evict_lower must be true or false, got 'yes please'
            tenant weight zero               | tenants: {weights: {acme: 0}}                                 | tenants.weights.acme must be a number above 0, got 0
            unknown policy                   | policy: {name: bogus}                                         | policy.name must be one of fifo, priority, mlfq, aging, weighted, edf, fair, sjf, gittins, got 'bogus'
            policy only a simulation runs    | policy: {name: srpt-oracle}                                   | policy.name 'srpt-oracle' needs the true output lengths that only a simulation knows (queuedeck-engine simulate); a running engine takes fifo,
            tenant weight for no tenant      | 'tenants: {weights: {''bad tenant!'': 2}}'                    | 'tenants.weights.bad tenant! is no tenant name: it may contain only ASCII letters, digits and ''.'', ''_'', '':'', ''/'', ''-'', got ''bad tenant!'''
            tenant weight for a blank name   | 'tenants: {weights: {'''': 2}}'                               | 'tenants.weights."" is no tenant name: it must not be blank'
            priority rule without a priority | priority_rules: [{name: a}]                                   | priority_rules[0].priority is required (0 most urgent to 9)
            zero idempotency window ok, bad  | store: {idempotency_window: forever}                          | store.idempotency_window must be a duration
            section not a mapping            | server: 8080                                                  | server must be a mapping of keys to values, got 8080
            tenant rate zero                 | tenants: {rates: {acme: {requests_per_second: 0}}}            | tenants.rates.acme.requests_per_second must be a number above 0, got 0
            tenant rate missing              | tenants: {default: {burst: 3}}                                | tenants.default.requests_per_second is required
            tenant unquoted on               | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: on, scopes: [read]}] | clients[0].tenant must be text, got the boolean true: YAML reads an unquoted on, off, yes, no, true or false as a boolean
            tenant with leading zeros        | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: 0042, scopes: [read]}] | clients[0].tenant must be text, got the number 34
            tenant the API refuses           | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: 'two words', scopes: [read]}] | clients[0].tenant may contain only ASCII letters, digits and '.', '_', ':', '/', '-', got 'two words'
            tenant not ASCII                 | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: 'tënant', scopes: [read]}] | clients[0].tenant may contain only ASCII letters, digits and '.', '_', ':', '/', '-', got 'tënant'
            client name with a control char  | clients: [{name: "a\\x07", token_env: QUEUEDECK_TOKEN_BATCH}] | clients[0].name must not hold control characters (it is the actor of the audit trail and the log)
            client name reversing the line   | clients: [{name: "a\\u202Eb", token_env: QUEUEDECK_TOKEN_BATCH}] | clients[0].name must not hold control characters (it is the actor of the audit trail and the log)
            unbound name no tenant takes     | clients: [{name: 'my client', token_env: QUEUEDECK_TOKEN_BATCH, scopes: [submit]}] | clients[0].name is the tenant of its front-door requests, as it is bound to no tenant, and may contain only ASCII letters, digits and '.', '_', ':', '/', '-', got 'my client'; rename it or bind it (tenant: …)
            unbound client named as a tenant | clients: [{name: acme, token_env: QUEUEDECK_TOKEN_BATCH, scopes: [submit]}, {name: b, token_env: QUEUEDECK_TOKEN_INTERACTIVE, tenant: acme, scopes: [read]}] | clients[0].name 'acme' is the tenant clients[1] is bound to: this client is bound to none, so its front-door requests would be that tenant's; bind it (tenant: acme) or rename it
            rule matching an unquoted no     | priority_rules: [{name: a, priority: 1, match: {tenant: [acme, no]}}] | priority_rules[0].match.tenant[1] must be text, got the boolean false
            tenant byte share zero           | tenants: {max_queued_share: 0}                                | tenants.max_queued_share must be a number above 0 and at most 1, got 0
            tenant byte share above one      | tenants: {max_queued_shares: {acme: 1.5}}                     | tenants.max_queued_shares.acme must be a number above 0 and at most 1, got 1.5
            tenant byte share a word         | tenants: {max_queued_shares: {acme: half}}                    | tenants.max_queued_shares.acme must be a number above 0 and at most 1, got 'half'
            bad duration                     | callbacks: {base_delay: soon, max_delay: 1s}                  | callbacks.base_delay must be a duration such as 500ms, 2s, 1m or 1h, got 'soon'
            cap below base                   | callbacks: {base_delay: 2s, max_delay: 1s}                    | callbacks.max_delay must not be shorter than callbacks.base_delay, got PT1S < PT2S
            uri without type redis           | store: {uri: 'redis://h:1'}                                   | store.uri is only for type redis
            unknown store type               | store: {type: etcd}                                           | store.type must be embedded or redis, got 'etcd'
            redis store without uri          | store: {type: redis}                                          | store.uri is required with type redis, e.g. redis://127.0.0.1:6379/0
            redis uri without scheme         | store: {type: redis, uri: 'h:6379'}                           | store.uri must start with redis:// or rediss://
            embedded store with uri          | store: {type: embedded, uri: 'redis://h:1'}                   | store.uri is only for type redis
            node without redis               | store: {node: {name: a}}                                      | store.node is only for type redis
            node name with a space           | store: {type: redis, uri: 'redis://h:1', node: {name: 'g a'}} | store.node.name must be 1 to 64 letters
            node lease too short             | store: {type: redis, uri: 'redis://h:1', node: {name: a, lease: 10ms}} | store.node.lease must be at least 100ms
            node lease of 1000 hours         | store: {type: redis, uri: 'redis://h:1', node: {name: a, lease: 1000h}} | store.node.lease must be at most 1h
            node prefetch of a million       | store: {type: redis, uri: 'redis://h:1', node: {name: a, prefetch: 1000000}} | store.node.prefetch must be between 0 and 1000
            half a backoff                   | callbacks: {base_delay: 2s}                                   | callbacks.max_delay must be given together with callbacks.base_delay
            zero backoff                     | callbacks: {base_delay: 0s, max_delay: 1s}                    | callbacks.base_delay must be longer than 0, got PT0S
            endless backoff                  | callbacks: {base_delay: 1s, max_delay: 3000000h}              | callbacks.max_delay is too long, got '3000000h'
            unset secret variable            | callbacks: {secret_env: NOT_SET_ANYWHERE}                     | callbacks.secret_env names NOT_SET_ANYWHERE, which is not set or empty
            allowed hosts not a list         | callbacks: {allowed_hosts: example.com}                       | callbacks.allowed_hosts must be a list, got 'example.com'
            """)
    void badFile_isRefusedNamingTheKeyPath(String what, String yaml, String message) throws Exception {
        assertThat(refusal(yaml)).as(what).startsWith(message);
    }

    /**
     * A key written null ({@code name:} or {@code name: ~}) counted as left out: {@code policy: {name: }}
     * ran the default policy and {@code scopes:} gave a client every scope. Each is refused on its key
     * path, in every section; a heading with nothing under it stays an empty section (the shipped file's
     * {@code engine:} is one).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            policy.name                        | policy: {name: }
            policy.name as ~                   | policy: {name: ~}
            policy.parameters.q0_ms            | policy: {name: mlfq, parameters: {q0_ms: }}
            server.port                        | server: {port: }
            server.threads                     | server: {threads: ~}
            engine.max_queued_bytes            | engine: {max_queued_bytes: }
            executor.instances                 | executor: {instances: }
            executor.backends                  | executor: {backends: }
            executor.backends[0].slots         | executor: {backends: [{url: 'http://gpu1:8000', slots: }]}
            executor.chunked_generation.enabled | executor: {chunked_generation: {enabled: }}
            clients                            | clients:
            clients[0].scopes                  | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, scopes: }]
            clients[0].tenant                  | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: , scopes: [read]}]
            clients[0].max_priority            | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, max_priority: }]
            tenants.default.burst              | tenants: {default: {requests_per_second: 5, burst: }}
            tenants.max_queued_share           | tenants: {max_queued_share: }
            tenants.weights.acme               | tenants: {weights: {acme: }}
            callbacks.max_attempts             | callbacks: {max_attempts: }
            callbacks.allowed_hosts            | callbacks: {allowed_hosts: }
            store.data_dir                     | store: {data_dir: }
            store.node.lease                   | store: {type: redis, uri: 'redis://h:1', node: {name: a, lease: }}
            tiers.core.max_concurrency         | tiers: {core: {max_concurrency: }}
            tiers.batch.queue_ttl              | tiers: {batch: {queue_ttl: }}
            tiers.normal.max_queue.tasks       | tiers: {normal: {max_queue: {tasks: }}}
            priority_rules                     | priority_rules:
            priority_rules[0].priority         | priority_rules: [{name: a, priority: }]
            priority_rules[0].match.tenant     | priority_rules: [{name: a, priority: 1, match: {tenant: }}]
            alerts.p99_latency.core            | alerts: {p99_latency: {core: }}
            callbacks.base_delay               | callbacks: {base_delay: , max_delay: 1s}
            clients[0].scopes of a bound one   | clients: [{name: a, token_env: QUEUEDECK_TOKEN_BATCH, tenant: acme, scopes: }]
            tenants.rates.acme.requests_per_second | tenants: {rates: {acme: {requests_per_second: }}}
            """)
    void aKeyWrittenNull_isRefusedOnItsKeyPath_notReadAsLeftOut(String key, String yaml) throws Exception {
        assertThat(problems(yaml)).as(yaml).containsExactly(key.replaceFirst(" (as ~|of a bound one)$", "")
                + " must not be null: give it a value or leave the key out (line 1)");
    }

    @Test
    void aHeadingWithNothingUnderIt_isAnEmptySection() throws Exception {
        assertThat(load("engine:\n  # max_queued_bytes: 1024\npolicy:\ntiers:\n")).isEqualTo(ServeConfig.EMPTY);
    }

    /** Several sections read "clients": a problem with it was listed once per reader. */
    @Test
    void aKeyReadBySeveralSections_isRefusedOnce() throws Exception {
        assertThat(problems("clients: 5\n")).hasSize(1);
    }

    @Test
    void notYaml_orDuplicateKeys_areRefusedWithTheLine() throws Exception {
        assertThat(refusal("server:\n  port: 1\n  port: 2\n")).startsWith("not valid YAML at line 3").contains("port");
        assertThat(refusal("server: [unclosed\n")).startsWith("not valid YAML at line");
        // a reader's limit has no line: still a refusal with its reason, not a NullPointerException
        assertThat(refusal("a: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n")).startsWith("not valid YAML: ")
                .doesNotContain("StreamReadConstraints").doesNotContain("`");
    }

    /** The reader said "expected '<document start>', but found '<block mapping start>'" ten lines below the fault. */
    @Test
    void aKeyIndentedDifferently_isSaidInPlainWords_lookingAbove() throws Exception {
        assertThat(refusal("policy:\n  name: fifo\nengine:\n  instances: 2\n   max_queued: 5\nalerts: {}\n"))
                .startsWith("not valid YAML at line").doesNotContain("<").doesNotContain("document start");
        assertThat(refusal("policy:\n  name: fifo\n  other: 1\n x: 2\nalerts: {}\n")).contains("does not fit the keys around it");
        assertThat(refusal("executor:\n\tbackends: []\n")).endsWith("a tab where YAML takes only spaces for indentation");
    }

    /** The reader's own text named its parser's event classes ("<org.yaml.snakeyaml.events.SequenceStartEvent(…)>"). */
    @Test
    void aListOrMappingAsAKey_isRefusedInPlainWords() throws Exception {
        assertThat(refusal("[a, b]: 1\n")).startsWith("not valid YAML at line 1").endsWith("a key must be a plain name, got a list");
        assertThat(refusal("tenants:\n  weights:\n    ? {a: 1}\n    : 2\n")).contains("(key tenants.weights)")
                .endsWith("a key must be a plain name, got a mapping").doesNotContain("snakeyaml");
    }

    @Test
    void notANumber_orInfinity_isRefusedWithItsKey() throws Exception {
        assertThat(refusal("tenants:\n  weights:\n    acme: .nan\n"))
                .startsWith("not valid YAML at line 3, column 15 (key tenants.weights.acme)").contains(".nan");
        assertThat(refusal("callbacks:\n  max_attempts: .inf\n")).contains("(key callbacks.max_attempts)").contains(".inf");
    }

    @Test
    void hugeUnknownKey_isNamedShortened() throws Exception {
        String refused = refusal("? k" + "a".repeat(200_000) + "\n: 1\n"); // an explicit key: YAML caps implicit ones

        assertThat(refused.length()).isLessThan(400);
        assertThat(refused).startsWith("k" + "a".repeat(99) + "…");
    }

    // Jackson reads an alias as its anchor's name and a second document not at all: both applied a
    // config other than the one written
    @Test
    void aliasOrSecondDocument_isRefused_neverReadOtherwise() throws Exception {
        assertThat(refusal("policy: {name: &p fifo}\npriority_rules:\n  - {name: r, priority: 1, match: {model: *p}}\n"))
                .isEqualTo("YAML alias *p at line 3 is not read: write the value out (aliases are refused)");
        assertThat(refusal("policy: {name: fifo}\n---\npolicy: {name: edf}\n"))
                .startsWith("YAML document 2 begins at line 3: a file here is one document");
        assertThat(ServeConfig.load(write("policy: {name: &p fifo}\n"), name -> null).policy().name())
                .isEqualTo("fifo"); // an anchor alone reads as written
        // a tag was skipped as if it were not there
        assertThat(refusal("policy: !foo {name: fifo}\n")).isEqualTo("YAML tag !foo at line 1 is not read: remove it (tags are refused)");
    }

    @Test
    void everyProblem_isReported_inOneRefusal_eachWithItsKeyPathAndLine() throws Exception {
        List<String> problems = problems("""
                server:
                  port: -1
                  threads: green
                policy:
                  name: lottery
                clients:
                  - name: a
                    token_env: QUEUEDECK_TOKEN_BATCH
                    max_priority: 12
                  - token_env: QUEUEDECK_TOKEN_INTERACTIVE
                    colour: blue
                tenants:
                  rates:
                    acme: {requests_per_second: 0}
                callbacks: {max_attempts: 0}
                tiers:
                  core: {max_concurrency: -1}
                """);

        assertThat(problems).containsExactly(
                "server.port must be between 0 and 65535, got -1 (line 2)",
                "server.threads must be virtual, platform or auto, got 'green' (line 3)",
                "policy.name must be one of " + String.join(", ", io.queuedeck.engine.policy.PolicyRegistry.names().stream()
                        .filter(n -> !io.queuedeck.engine.policy.PolicyRegistry.isSimulationOnly(n)).toList())
                        + ", got 'lottery' (line 5)",
                "clients[0].max_priority must be between 0 and 9, got 12 (line 9)",
                "clients[1].name is required (line 10)", // missing: the line of its entry
                "clients[1].colour is not a known setting (known here: name, token_env, token_file, max_priority,"
                        + " requests_per_second, burst, tenant, scopes) (line 11)",
                "tenants.rates.acme.requests_per_second must be a number above 0, got 0 (line 14)",
                "callbacks.max_attempts must be between 1 and 100, got 0 (line 15)",
                "tiers.core.max_concurrency must be between 1 and 1000000, got -1 (line 17)");
    }

    @Test
    void aProblemInAListEntryOrANamedEntry_pointsAtItsOwnLine() throws Exception {
        assertThat(problems("""
                # a comment first, so lines are counted from the file's top
                callbacks:
                  allowed_hosts:
                    - ok.example
                    - ""
                """)).containsExactly("callbacks.allowed_hosts[1] must be a non-empty string, got '' (line 5)");
        assertThat(problems("server: 8080\n")).containsExactly("server must be a mapping of keys to values, got 8080 (line 1)");
    }

    @Test
    void missingFile_isRefused() {
        Function<String, String> env = ENV::get;
        assertThatThrownBy(() -> ServeConfig.load(dir.resolve("absent.yaml"), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read config file " + dir.resolve("absent.yaml"));
    }
}
