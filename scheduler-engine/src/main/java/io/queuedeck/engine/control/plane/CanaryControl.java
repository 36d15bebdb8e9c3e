package io.queuedeck.engine.control.plane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.DurationText;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.CanarySplit;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A canary (gray release, decision 0033): a candidate config whose priority rules classify a
 * share of new tasks, each task recording {@code "release": "canary"}; both releases are compared
 * from their finished tasks; promote makes the candidate the running config, rollback ends it, and
 * an automatic rollback ends it when it is worse than stable by the margin over a window. The
 * candidate may change its {@code priority_rules} and its {@code policy}: with a policy of its own,
 * its tasks wait in a queue of their own ordered by it, and dispatches are shared in proportion
 * to the tasks each release received (decision 0051). With tier limits of its own, its tasks are
 * held to its {@code max_queue}, {@code queue_ttl}/{@code timeout_action}, {@code degrade} and
 * retries, while slots ({@code max_concurrency}, {@code share}, {@code fairness},
 * {@code evict_lower}) and tenant weights stay the running ones, shared (decision 0081).
 */
final class CanaryControl {
    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_WINDOW = Duration.ofHours(24);
    private static final JsonMapper JSON = new JsonMapper();
    private static final double DEFAULT_FRACTION = 0.1;
    private static final double DEFAULT_MARGIN = 0.2;
    private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    private static final int DEFAULT_MIN_TASKS = 20;

    private final ConfigPlane plane;
    private final Engine engine;
    private final ReleaseClassifier classifier;
    private volatile Run run;
    private volatile Ended lastEnded;
    /**
     * Held while the classifier's routing is set from {@link #run}: never while taking another lock,
     * so a config change (holding the plane's lock) and a promote (holding this one, then the
     * plane's) cannot wait on each other.
     */
    private final Object routing = new Object();

    /** A running canary. */
    private record Run(String text, ServeConfig candidate, CanarySplit split, ReleaseComparison comparison,
                       Instant startedAt, String source, ConfigService.AutoRollback autoRollback, List<ConfigDiff.Change> changes,
                       io.queuedeck.engine.command.CanaryPolicy policy, FlowCounts baseline, String label) {}

    /**
     * How the last canary ended.
     *
     * @param outcome {@code promoted} or {@code rolled_back}
     * @param reason  who or what ended it, and why
     */
    record Ended(String outcome, String reason, Instant at) {}

    /** {@code GET /v1/canary}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Status(boolean running, String by, Double fraction, List<String> values,
                  @JsonProperty("started_at") Instant startedAt, String source,
                  @JsonProperty("auto_rollback") ConfigService.AutoRollback autoRollback,
                  List<ConfigDiff.Change> changes, ReleaseComparison.Comparison comparison,
                  @JsonProperty("last_ended") Ended lastEnded) {}

    CanaryControl(ConfigPlane plane, Engine engine, ReleaseClassifier classifier) {
        this.plane = plane;
        this.engine = engine;
        this.classifier = classifier;
    }

    Status status() {
        Run r = run;
        if (r == null) {
            return new Status(false, null, null, null, null, null, null, null, null, lastEnded);
        }
        CanarySplit s = r.split();
        boolean byId = s.by().equals(CanarySplit.TASK_ID);
        return new Status(true, s.by(), byId ? s.fraction() : null, byId ? null : s.values().stream().sorted().toList(),
                r.startedAt(), r.source(), r.autoRollback(), r.changes(),
                r.comparison().comparison(engine.clock().nanos(), FlowCounts.of(engine).since(r.baseline())), lastEnded);
    }

    /** Whether a canary runs now. */
    boolean running() {
        return run != null;
    }

    /** When the running canary started; null when none runs. */
    java.time.Instant startedAt() {
        Run r = run;
        return r == null ? null : r.startedAt();
    }

    synchronized ConfigService.CanaryChange start(ConfigService.CanaryRequest request, String source, Integer expected) {
        // under the plane's lock too (this order, as a promotion takes them): a config change racing the start
        // either lands before it, and the candidate is compared with it, or sees the canary and is refused
        synchronized (plane) {
            plane.requireVersion(expected);
            Status started = startUnder(request, source);
            return new ConfigService.CanaryChange(started, plane.current().version());
        }
    }

    private Status startUnder(ConfigService.CanaryRequest request, String source) {
        if (run != null) {
            throw new ConfigService.Refused(409, "canary_running", List.of("a canary runs already (since " + run.startedAt()
                    + "); promote or roll it back first"));
        }
        String text = request.config().isTextual() ? request.config().asText() : json(request.config());
        ServeConfig candidate = plane.check(text, "canary config");
        ServeConfig running = plane.current().config();
        List<String> shared = CanaryLimits.sharedChanged(candidate.flow(), running.flow());
        if (!shared.isEmpty()) {
            throw new ConfigService.Refused(400, "invalid_config", shared);
        }
        // a policy of its own: canary tasks wait in their own queue, ordered by it (decision 0051);
        // limits of its own: canary tasks are admitted and timed out by them (decision 0081)
        boolean ownPolicy = !Objects.equals(candidate.policy(), running.policy());
        boolean ownLimits = !Objects.equals(candidate.flow(), running.flow());
        io.queuedeck.engine.command.CanaryPolicy policy = !ownPolicy && !ownLimits ? null : new io.queuedeck.engine.command.CanaryPolicy(
                ownPolicy ? Objects.requireNonNullElse(candidate.policy().name(), plane.defaultPolicy()) : null,
                ownPolicy ? candidate.policy().parameters() : Map.of(), ownLimits ? candidate.flow() : null);
        CanarySplit split;
        try {
            String by = request.by() == null ? CanarySplit.TASK_ID : request.by();
            split = new CanarySplit(by, request.fraction() == null ? DEFAULT_FRACTION : request.fraction(),
                    request.values() == null ? null : new HashSet<>(request.values()));
        } catch (IllegalArgumentException e) {
            throw new ConfigService.Refused(400, "invalid_field", List.of("canary: " + e.getMessage()));
        }
        ConfigService.AutoRollback auto = request.autoRollback();
        double margin = Double.NaN;
        Duration window = DEFAULT_WINDOW;
        int minTasks = DEFAULT_MIN_TASKS;
        if (auto != null) {
            margin = auto.margin() == null ? DEFAULT_MARGIN : auto.margin();
            if (!(margin >= 0) || Double.isInfinite(margin)) {
                throw new ConfigService.Refused(400, "invalid_field", List.of("auto_rollback.margin must be a number of 0 or"
                        + " more (0.2 for 20% worse), got " + auto.margin()));
            }
            if (auto.window() != null) {
                window = duration(auto.window());
            }
            if (auto.minTasks() != null) {
                if (auto.minTasks() < 1) {
                    throw new ConfigService.Refused(400, "invalid_field", List.of("auto_rollback.min_tasks must be at least 1,"
                            + " got " + auto.minTasks()));
                }
                minTasks = auto.minTasks();
            }
            auto = new ConfigService.AutoRollback(margin, human(window), minTasks);
        }
        if (ConfigDiff.between(plane.current().tree(), ConfigPlane.tree(text)).isEmpty()) {
            throw new ConfigService.Refused(400, "invalid_config", List.of("canary config: it is the running config (version "
                    + plane.current().version() + "), so the canary would compare a release with itself; change its"
                    + " priority_rules, policy or tier limits first"));
        }
        long nanos = engine.clock().nanos();
        FlowCounts baseline = FlowCounts.of(engine);
        ReleaseComparison comparison = new ReleaseComparison(margin, window, minTasks, nanos, engine.clock()::toInstant);
        String label = "canary started: " + (split.by().equals(CanarySplit.TASK_ID)
                ? Math.round(split.fraction() * 100) + "% of new tasks" : split.by() + " in " + split.values())
                + (policy == null || policy.policy() == null ? "" : ", ordered by " + policy.policy())
                + (policy == null || policy.limits() == null ? "" : ", with tier limits of its own");
        Run started = new Run(text, candidate, split, comparison, plane.now(), source, auto,
                ConfigDiff.between(plane.current().tree(), ConfigPlane.tree(text)), policy, baseline, label);
        if (policy != null) {
            // its queue first, so no canary task is classified before it can wait there
            try {
                engine.send(new Command.ApplyConfig(plane.current().version(), label, null, null, null, policy)).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new ConfigService.Refused(400, "invalid_config", List.of("canary config: policy "
                        + e.getCause().getMessage()));
            }
        }
        synchronized (routing) {
            run = started;
            classifier.route(new ReleaseClassifier.Routing(plane.stableRules(), candidate.priorityRules(), split));
        }
        if (policy == null) {
            mark(label);
        }
        plane.save();
        return status();
    }

    /** The candidate becomes the running config (a new version); new tasks are all stable again. */
    synchronized ConfigPlane.Status promote(String source) {
        Run r = requireRun();
        synchronized (routing) {
            run = null;
            classifier.route(new ReleaseClassifier.Routing(plane.stableRules(), null, null));
        }
        try {
            // labelled by what it changes, as any other version: "canary promoted" alone hid that from the history
            ConfigPlane.Status status = plane.applyText(r.text(), source + " (canary promoted)", null,
                    r.policy() == null ? null : io.queuedeck.engine.command.CanaryPolicy.END);
            lastEnded = new Ended("promoted", "promoted by " + source, plane.now());
            return status;
        } catch (RuntimeException e) {
            synchronized (routing) { // the running config changed so that the candidate no longer applies: the canary goes on
                run = r;
                classifier.route(new ReleaseClassifier.Routing(plane.stableRules(), r.candidate().priorityRules(), r.split()));
            }
            throw e;
        }
    }

    synchronized ConfigService.CanaryChange rollback(String reason) {
        requireRun();
        // read while the canary runs, when no config change can land (each is refused under a canary): once it
        // has ended, a PUT may make the next version before the caller reads one
        int version = plane.current().version();
        end(reason);
        return new ConfigService.CanaryChange(status(), version);
    }

    /** The running config changed: the stable side classifies by its rules from now on. */
    void stableChanged(RuleSet stable) {
        synchronized (routing) {
            Run r = run;
            classifier.route(r == null ? new ReleaseClassifier.Routing(stable, null, null)
                    : new ReleaseClassifier.Routing(stable, r.candidate().priorityRules(), r.split()));
        }
    }

    /** The canary that runs, as kept across restarts; null when none runs. */
    SavedConfig.Canary saved() {
        Run r = run;
        return r == null ? null : new SavedConfig.Canary(r.startedAt(), r.source(), r.label());
    }

    /** A canary ran when QueueDeck stopped: it ended there, and its tasks wait in the running order (decision 0105). */
    void endedByRestart(SavedConfig.Canary was) {
        lastEnded = new Ended("rolled_back", "ended by a restart: it ran (" + was.label() + ", started " + was.startedAt()
                + " by " + was.source() + ") when QueueDeck stopped; its tasks wait in the running config's order. Start it"
                + " again to go on", plane.now());
        // in the audit trail too, as every other end of a canary is
        engine.audit().record("queuedeck", "restart", "canary.rollback", "config version " + plane.current().version(), 0,
                lastEnded.reason());
    }

    void finished(TaskView view) {
        Run r = run;
        if (r == null) {
            return;
        }
        String reason = r.comparison().record(view);
        if (reason != null) {
            synchronized (this) {
                if (run == r) {
                    end("automatic rollback: " + reason);
                }
            }
        }
    }

    private void end(String reason) {
        Run r = run;
        synchronized (routing) {
            run = null;
            classifier.route(new ReleaseClassifier.Routing(plane.stableRules(), null, null));
        }
        lastEnded = new Ended("rolled_back", reason, plane.now());
        // its waiting tasks join the running policy's queue, ordered by it from now on
        engine.send(new Command.ApplyConfig(plane.current().version(), "canary rolled back", null, null, null,
                r != null && r.policy() != null ? io.queuedeck.engine.command.CanaryPolicy.END : null));
        plane.save();
    }

    private Run requireRun() {
        Run r = run;
        if (r == null) {
            throw new ConfigService.Refused(409, "no_canary", List.of("no canary runs; start one with PUT /v1/canary"));
        }
        return r;
    }

    /** An event for the console's charts; the running version does not change. */
    private void mark(String label) {
        engine.send(new Command.ApplyConfig(plane.current().version(), label, null, null));
    }

    /** The judging window: at least a second (a window must hold tasks of both releases) and at most a day. */
    private static Duration duration(String text) {
        ConfigService.Refused outOfRange = new ConfigService.Refused(400, "invalid_field", List.of(
                "auto_rollback.window must be between 1s and 24h, got '" + text + "'"));
        Optional<Duration> parsed;
        try {
            parsed = DurationText.parse(text);
        } catch (ArithmeticException e) { // longer than a Duration in nanoseconds holds
            throw outOfRange;
        }
        Duration window = parsed.orElseThrow(() -> new ConfigService.Refused(400, "invalid_field", List.of(
                "auto_rollback.window must be a duration such as 30s, 5m or 1h, got '" + text + "'")));
        if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
            throw outOfRange;
        }
        return window;
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }

    private static String json(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
