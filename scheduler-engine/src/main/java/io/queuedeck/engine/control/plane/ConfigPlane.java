package io.queuedeck.engine.control.plane;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.ConfigChange;
import io.queuedeck.engine.config.ConfigException;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The running config and its versions (decision 0032). A new version — a {@code PUT /v1/config},
 * the watched file changing, a rollback, a promoted canary — is checked whole
 * ({@link ConfigChange}); if anything is wrong nothing of it applies, the running version stays
 * and {@code last_error} says why. A valid one applies without a restart: the policy through one
 * loop command (the queue is re-ranked on the loop; tier limits and tenant weights apply to the next
 * admission and dispatch), the priority rules by swapping what classifies
 * new tasks; every applied version is an engine event the console marks on its charts. Canaries
 * are in {@link CanaryControl}. Changes are serialized here (they are rare); reading is cheap.
 */
public final class ConfigPlane implements ConfigService {
    /** Versions kept for history and rollback. */
    static final int KEPT_VERSIONS = 100;
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final System.Logger LOG = System.getLogger(ConfigPlane.class.getName());
    private static final long APPLY_TIMEOUT_SECONDS = 10;

    private final Engine engine;
    private final ReleaseClassifier classifier;
    private final Path folder;
    private final Function<String, String> env;
    private final String defaultPolicy;
    private final Deque<Version> versions = new ArrayDeque<>();
    private final CanaryControl canary;
    private volatile Version current;
    private volatile Refusal lastError;
    /** The last refusal because a canary ran: not shown once the canary has ended, when it no longer holds. */
    private volatile Refusal underCanary;
    /** The config file's text as last read: what a restart compares the file with. */
    private String fileText;
    /** Where versions are kept across restarts (decision 0105); null in memory. */
    private SavedConfig saved;
    /** Told of each config version once the engine took it (e.g. a shared queue's tier caps). */
    private final List<java.util.function.Consumer<ServeConfig>> appliedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One applied version.
     *
     * @param version   1 for the config the engine started with, then one more per applied change
     * @param appliedAt when it applied
     * @param source    where it came from: the file, {@code PUT /v1/config by admin}, a rollback...
     * @param label     what changed, in a few words
     * @param changes   its diff against the version before
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Version(int version, @JsonProperty("applied_at") Instant appliedAt, String source, String label,
                          List<ConfigDiff.Change> changes, @JsonIgnore String text, @JsonIgnore ServeConfig config,
                          @JsonIgnore JsonNode tree) {

        /** Its text as a tree: kept for the running version, read again for an older one. */
        JsonNode parsed() {
            return tree != null ? tree : ConfigPlane.tree(text);
        }

        /** The same version as history keeps it once another runs: its text and diff, not what they parse to. */
        Version superseded() {
            return config == null && tree == null ? this : new Version(version, appliedAt, source, label, changes, text, null, null);
        }

        /**
         * About what it holds in memory and on disk, in characters: its text, and its diff, whose
         * entries hold parts of the trees before and after it (each at most about as long as a text).
         */
        long weight() {
            return 3L * (text == null ? 0 : text.length()) + (long) (changes == null ? 0 : changes.size()) * CHARS_PER_CHANGE;
        }
    }

    /**
     * The history's budget, in characters ({@link Version#weight}): 34 versions of a megabyte each
     * ran a 512 MB heap out of memory, and the history file they left did so again at every start.
     * The running version is always kept.
     */
    static final long KEPT_CHARS = 8L << 20;
    static final int CHARS_PER_CHANGE = 200;
    /** A kept history file larger than this was not written by a bounded history: it is set aside unread. */
    static final long MAX_SAVED_BYTES = 32L << 20;

    /** A refused change: when, from where, and every problem (each with its key path and line). */
    public record Refusal(Instant at, String source, List<String> problems) {
        public Refusal {
            problems = Refused.bounded(problems);
        }
    }

    /** {@code GET /v1/config}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Status(int version, @JsonProperty("applied_at") Instant appliedAt, String source, JsonNode config,
                         @JsonProperty("last_error") Refusal lastError, List<String> reloadable) {}

    /**
     * @param running        the config the engine started with, read from {@code text}
     * @param text           that config file's text
     * @param source         where it was read ({@code /etc/queuedeck.yaml}, {@code built-in defaults})
     * @param folder         what relative paths in later versions are resolved against
     * @param defaultPolicy  the policy that runs when a version names none
     */
    public ConfigPlane(Engine engine, ReleaseClassifier classifier, ServeConfig running, String text, String source,
                       Path folder, Function<String, String> env, String defaultPolicy) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.folder = folder;
        this.env = env;
        this.defaultPolicy = defaultPolicy;
        this.current = new Version(1, now(), source, "started", List.of(), text, running, tree(text));
        this.fileText = text;
        versions.add(current);
        this.canary = new CanaryControl(this, engine, classifier);
    }

    // ---------------------------------------------------------------- reading

    /** Also hands each config version the engine took to {@code listener}, on the thread that applied it. */
    public void onApplied(java.util.function.Consumer<ServeConfig> listener) {
        appliedListeners.add(listener);
    }

    @Override
    public Status status() {
        Version v = current;
        return new Status(v.version(), v.appliedAt(), v.source(), v.tree(), lastError(), ConfigChange.RELOADABLE);
    }

    @Override
    public synchronized Object history() {
        return Map.of("versions", List.copyOf(versions));
    }

    /** The version running now. */
    public Version current() {
        return current;
    }

    /** The last refused change, or null when the last change applied. */
    public Refusal lastError() {
        Refusal last = lastError;
        return last != null && last == underCanary && !canary.running() ? null : last;
    }

    // ---------------------------------------------------------------- changing

    @Override
    public Status apply(String text, String source) {
        return (Status) apply(text, source, null).status();
    }

    @Override
    public synchronized Applied apply(String text, String source, Integer expected) {
        requireChangeable(source, expected);
        return applied(current.version(), applyText(text, source, null));
    }

    /** What a change that found version {@code before} running did, under this plane's lock. */
    private static Applied applied(int before, Status after) {
        return new Applied(after, after.version(), after.version() != before);
    }

    @Override
    public synchronized int version() {
        return current.version();
    }

    /**
     * A change of the running config other than a canary's own end: refused while a canary runs (its
     * comparison went stale under it, and its promotion silently undid the change), and when the
     * operator read another version than the one running ({@code If-Match}).
     */
    private void requireChangeable(String source, Integer expected) {
        if (canary.running()) {
            Instant since = canary.startedAt();
            List<String> problems = List.of("a canary runs" + (since == null ? "" : " (since "
                    + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")")
                    + ": promote it or roll it back first; the running config does not change under a canary");
            lastError = underCanary = new Refusal(now(), source, problems);
            throw new Refused(409, "canary_running", problems);
        }
        requireVersion(expected);
    }

    /** 412 unless version {@code expected} runs (null: any); the caller holds this plane's lock. */
    void requireVersion(Integer expected) {
        if (expected != null && expected != current.version()) {
            throw new Refused(412, "version_changed", List.of("the running config is version " + current.version()
                    + ", not " + expected + " (If-Match): read it again (GET /v1/config) and make the change to that"));
        }
    }

    /**
     * Applies {@code text} as the next version, or refuses it whole.
     *
     * @param label the history's label, or null to describe the diff
     * @throws ConfigService.Refused 400 {@code invalid_config} with every problem
     */
    synchronized Status applyText(String text, String source, String label) {
        return applyText(text, source, label, null);
    }

    /**
     * As {@link #applyText(String, String, String)}, changing a canary's own policy in the same
     * loop command ({@link io.queuedeck.engine.command.CanaryPolicy#END} when a promoted canary's policy becomes the
     * running one; null: unchanged).
     */
    synchronized Status applyText(String text, String source, String label, io.queuedeck.engine.command.CanaryPolicy canaryPolicy) {
        Version was = current;
        ServeConfig next;
        try {
            next = ConfigChange.read(source, text, folder, env, was.config(), was.text());
        } catch (ConfigException e) {
            throw refuse(source, e.problems());
        }
        JsonNode tree = tree(text);
        List<ConfigDiff.Change> changes = ConfigDiff.between(was.tree(), tree);
        if (changes.isEmpty()) {
            return status(); // the same config again (an editor saving twice): nothing to apply
        }
        boolean policyChanged = !Objects.equals(was.config().policy(), next.policy());
        String policy = policyChanged ? Objects.requireNonNullElse(next.policy().name(), defaultPolicy) : null;
        Map<String, String> parameters = policyChanged && next.policy().parameters() != null ? next.policy().parameters()
                : Map.of();
        FlowSettings flow = Objects.equals(was.config().flow(), next.flow()) ? null : next.flow();
        int version = was.version() + 1;
        String shown = label != null ? label : ConfigDiff.label(changes);
        try {
            engine.send(new Command.ApplyConfig(version, shown, policy, parameters, flow, canaryPolicy)).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw refuse(source, List.of(source + ": " + policyProblem(e.getCause())));
        } catch (TimeoutException e) {
            throw refuse(source, List.of(source + ": the scheduler loop did not take the change within "
                    + APPLY_TIMEOUT_SECONDS + " s; the policy may have changed, the rest did not"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refuse(source, List.of(source + ": interrupted before the change applied"));
        }
        lastError = null;
        makeRunning(new Version(version, now(), source, shown, changes, text, next, tree));
        LOG.log(System.Logger.Level.INFO, "QueueDeck: config version {0} applied from {1}: {2}", version, source, shown);
        save();
        return status();
    }

    /**
     * Switches the policy as a new version of the config: the running text with its {@code policy}
     * block replaced, so the config, its history and the Control screen say what runs.
     *
     * @throws ConfigService.Refused as {@link #apply} does (an unknown policy or parameter)
     */
    public synchronized Status switchPolicy(String name, Map<String, String> parameters, String source) {
        requireChangeable(source, null);
        String was = Objects.requireNonNullElse(current.config().policy().name(), defaultPolicy);
        int before = current.version();
        Status status = applyText(PolicyText.withPolicy(current.text(), name, parameters), source, "policy " + was + " → "
                + name + (parameters.isEmpty() ? "" : " " + parameters));
        if (status.version() == before) { // the text names it already (an engine started with another): the engine alone
            try {
                engine.send(new Command.SwitchPolicy(name, io.queuedeck.engine.policy.PolicyConfig.of(parameters)))
                        .get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw refuse(source, List.of(source + ": " + policyProblem(e.getCause() == null ? e : e.getCause())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refuse(source, List.of(source + ": interrupted before the change applied"));
            }
        }
        return status;
    }

    @Override
    public Status rollback(int version, String source) {
        return (Status) rollback(version, source, null).status();
    }

    @Override
    public synchronized Applied rollback(int version, String source, Integer expected) {
        requireChangeable(source, expected);
        Version target = versions.stream().filter(v -> v.version() == version).findFirst().orElseThrow(() -> new Refused(404,
                "not_found", List.of("no config version " + version + " is kept (kept: " + versions.getFirst().version()
                + " to " + current.version() + ")")));
        return applied(current.version(), applyText(target.text(), source, "rollback to version " + version));
    }

    /**
     * What a rollback to {@code version} would change in the running config, in a few words ("policy.name
     * → mlfq"), so it can be confirmed knowing that; empty when the version is no longer kept.
     */
    public synchronized Optional<String> changesBackTo(int version) {
        return versions.stream().filter(v -> v.version() == version).findFirst()
                .map(target -> ConfigDiff.label(ConfigDiff.between(current.tree(), target.parsed())));
    }

    /**
     * Whether a rollback to {@code version} would change nothing: it reads as the running config
     * (the same text, or one that differs only in comments, layout or format: YAML against JSON). False
     * when it is not kept.
     */
    public synchronized boolean readsAsRunning(int version) {
        return versions.stream().filter(v -> v.version() == version).findFirst()
                .map(target -> ConfigDiff.between(current.tree(), target.parsed()).isEmpty()).orElse(false);
    }

    /** The watched file changed: its text is applied, or refused with {@code last_error} set (and logged). */
    public synchronized void fileChanged(String text, String source) {
        if (text.equals(fileText)) {
            // touched, or saved again as it was (a deploy rewriting the same bytes): no new version. Applying
            // it undid every version applied since over the API (a PUT, a rollback, a promoted canary)
            return;
        }
        try {
            requireChangeable(source, null); // under a canary: not read, so saving it again after the canary applies it
            fileText = text; // what the file says now, applied or not: a restart reads it again
            int before = current.version();
            applyText(text, source, null);
            if (current.version() != before) { // who changed it is whoever can write the file: the file names them
                engine.audit().record("file:" + source, "config-file", "config.apply", "config version " + current.version(), 0,
                        current.label());
            }
        } catch (Refused e) {
            save(); // recorded in last_error and logged by refuse(): the running config stays
        }
    }

    /**
     * The watched file changed but cannot be read (deleted, a directory, not UTF-8): the running
     * version stays, and {@code last_error} says why (it kept showing the file's previous problem).
     */
    public synchronized void fileUnreadable(String why, String source) {
        refuse(source, List.of(why + "; version " + current.version() + " keeps running, and the file is read again when saved"));
    }

    // ---------------------------------------------------------------- across restarts

    /**
     * Keeps the versions in {@code dataDir} from now on and resumes what was kept there
     * (decision 0105): when the config file reads as it did when last read, the version that ran
     * last runs again, with its number; when the file changed while QueueDeck was stopped, the
     * file's text runs as the next version. Either way the kept history goes on, and a canary that
     * ran is ended, saying so. Call once, before the API serves.
     */
    public synchronized void resume(Path dataDir) {
        saved = SavedConfig.in(dataDir);
        Optional<SavedConfig.Contents> kept;
        try {
            kept = saved.read();
        } catch (IOException e) {
            kept = Optional.empty();
            try {
                Path aside = saved.setAside(now());
                LOG.log(System.Logger.Level.WARNING, "QueueDeck: the kept config versions could not be read ({0}); "
                        + "moved to {1}, starting from the config file", e.getMessage(), aside);
            } catch (IOException again) {
                throw new java.io.UncheckedIOException("cannot read or move aside " + saved.file(), again);
            }
        }
        if (kept.isPresent() && !kept.get().versions().isEmpty()) {
            resume(kept.get());
            if (kept.get().canary() != null) { // once the version that runs is known: the audit names it
                canary.endedByRestart(kept.get().canary());
            }
        }
        save();
    }

    private void resume(SavedConfig.Contents kept) {
        Version started = current;
        versions.clear();
        for (SavedConfig.Saved v : kept.versions()) {
            versions.addLast(new Version(v.version(), v.appliedAt(), v.source(), v.label(), v.changes(), v.text(), null, null));
        }
        trimHistory(versions); // a history kept before it had a budget
        Version last = versions.getLast();
        boolean fileAsBefore = Objects.equals(kept.fileText(), fileText);
        String notResumed = null;
        if (fileAsBefore) {
            try {
                ServeConfig config = ConfigChange.readKept("version " + last.version(), last.text(), folder, env, started.config());
                resumeVersion(started, new Version(last.version(), last.appliedAt(), last.source(), last.label(), last.changes(),
                        last.text(), config, last.parsed()));
                return;
            } catch (ConfigException e) {
                notResumed = String.join("; ", e.problems());
            }
        }
        // the file changed while stopped (or the last version no longer reads): the file runs, as the next version
        List<ConfigDiff.Change> changes = ConfigDiff.between(last.parsed(), started.tree());
        if (changes.isEmpty()) { // the file now says what ran last
            resumeVersion(started, new Version(last.version(), last.appliedAt(), last.source(), last.label(), last.changes(),
                    started.text(), started.config(), started.tree()));
        } else {
            String source = started.source() + (fileAsBefore ? "" : " (changed while stopped)");
            resumeVersion(started, new Version(last.version() + 1, now(), source, ConfigDiff.label(changes), changes,
                    started.text(), started.config(), started.tree()));
        }
        if (notResumed != null) { // said of the start-up, once what runs instead is known
            lastError = new Refusal(now(), "restart", List.of("version " + last.version() + " ran before the restart but was"
                    + " not resumed, so the config file runs as version " + current.version() + ": " + notResumed));
            LOG.log(System.Logger.Level.WARNING, "QueueDeck: {0}", lastError.problems().getFirst());
        }
    }

    /** Makes {@code next} the running version, telling the engine what differs from the one it started with. */
    private void resumeVersion(Version started, Version next) {
        ServeConfig was = started.config();
        ServeConfig now = next.config();
        boolean policyChanged = !Objects.equals(was.policy(), now.policy());
        String policy = policyChanged ? Objects.requireNonNullElse(now.policy().name(), defaultPolicy) : null;
        Map<String, String> parameters = policyChanged && now.policy().parameters() != null ? now.policy().parameters() : Map.of();
        FlowSettings flow = Objects.equals(was.flow(), now.flow()) ? null : now.flow();
        try {
            engine.send(new Command.ApplyConfig(next.version(), "resumed after a restart: " + next.label(), policy, parameters,
                    flow, null)).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot resume config version " + next.version() + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resuming config version " + next.version(), e);
        }
        if (versions.getLast().version() == next.version()) {
            versions.removeLast(); // the same version, now with what it reads as
        }
        makeRunning(next);
        LOG.log(System.Logger.Level.INFO, "QueueDeck: config version {0} runs ({1}, from {2})", next.version(), next.label(),
                next.source());
    }

    /** {@code v} runs from now on: the newest of the history (the oldest past the kept number dropped), told to the canary and listeners. */
    private void makeRunning(Version v) {
        if (!versions.isEmpty() && versions.getLast() != v) {
            versions.addLast(versions.removeLast().superseded());
        }
        versions.addLast(v);
        trimHistory(versions);
        current = v;
        canary.stableChanged(v.config().priorityRules());
        appliedListeners.forEach(listener -> listener.accept(v.config()));
    }

    /** Drops the oldest versions past {@link #KEPT_VERSIONS} or {@link #KEPT_CHARS}; the newest stays. */
    private static void trimHistory(Deque<Version> history) {
        long weight = history.stream().mapToLong(Version::weight).sum();
        while (history.size() > KEPT_VERSIONS || history.size() > 1 && weight > KEPT_CHARS) {
            weight -= history.removeFirst().weight();
        }
    }

    /**
     * Writes what is kept, when it is kept anywhere. A failure to write does not undo what applied:
     * it is logged and shown in {@code last_error}, since that version will not survive a restart.
     */
    synchronized void save() {
        if (saved == null) {
            return;
        }
        List<SavedConfig.Saved> kept = versions.stream().map(v -> new SavedConfig.Saved(v.version(), v.appliedAt(), v.source(),
                v.label(), v.changes(), v.text())).toList();
        try {
            saved.write(new SavedConfig.Contents(fileText, kept, canary.saved()));
        } catch (IOException e) {
            lastError = new Refusal(now(), saved.file().toString(), List.of("version " + current.version()
                    + " runs but could not be kept in " + saved.file() + " (" + e.getMessage() + "): a restart will not resume it"));
            LOG.log(System.Logger.Level.ERROR, "QueueDeck: {0}", lastError.problems().getFirst());
        }
    }

    // ---------------------------------------------------------------- canary

    @Override
    public Object canary() {
        return canary.status();
    }

    @Override
    public CanaryChange startCanary(CanaryRequest request, String source) {
        return startCanary(request, source, null);
    }

    @Override
    public CanaryChange startCanary(CanaryRequest request, String source, Integer expected) {
        return canary.start(request, source, expected);
    }

    @Override
    public CanaryChange promoteCanary(String source) {
        Status promoted = canary.promote(source);
        return new CanaryChange(promoted, promoted.version());
    }

    @Override
    public CanaryChange rollbackCanary(String source) {
        return canary.rollback("rolled back by " + source);
    }

    /** A finished task: counted for the canary's comparison, which may roll the canary back. Any thread. */
    public void finished(TaskView view) {
        canary.finished(view);
    }

    /** Checks a candidate config against the running one, as a change would be checked. */
    ServeConfig check(String text, String source) {
        try {
            return ConfigChange.read(source, text, folder, env, current.config());
        } catch (ConfigException e) {
            throw new Refused(400, "invalid_config", e.problems());
        }
    }

    // ---------------------------------------------------------------- plumbing

    /** The loop's refusal of a policy, named once ("policy 'x' needs …" read "policy policy 'x' needs …"). */
    private static String policyProblem(Throwable refusal) {
        String message = String.valueOf(refusal.getMessage());
        return message.startsWith("policy") ? message : "policy " + message;
    }

    private Refused refuse(String source, List<String> problems) {
        lastError = new Refusal(now(), source, problems);
        LOG.log(System.Logger.Level.WARNING, "QueueDeck: config change from {0} refused, version {1} stays:\n  {2}", source,
                current.version(), String.join("\n  ", lastError.problems()));
        return new Refused(400, "invalid_config", problems);
    }

    Instant now() {
        return engine.clock().toInstant(engine.clock().nanos());
    }

    static JsonNode tree(String text) {
        try {
            JsonNode tree = YAML.readTree(text);
            return tree == null || tree.isMissingNode() ? JsonNodeFactory.instance.objectNode() : tree;
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage(), e); // it was read as a config already
        }
    }

    /** The policy that runs when a version names none. */
    String defaultPolicy() {
        return defaultPolicy;
    }

    /** The rules of the running version, for a canary's stable side. */
    RuleSet stableRules() {
        return current.config().priorityRules();
    }
}
