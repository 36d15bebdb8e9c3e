package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.drill.Drill;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tiers;
import io.queuedeck.engine.task.WireNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a drill file (docs/faults.md). Like the config file, every problem is collected first and
 * then thrown at once as a {@link ConfigException}, each with its key path and line:
 * {@code crash.yaml: steps[2].inject.kind: unknown fault 'crsh'... (line 31)}.
 */
public final class DrillReader {

    private DrillReader() {}

    /** The largest drill file read: the shipped ones are about 2 KB; 30 MB of YAML took the reader minutes. */
    public static final int MAX_BYTES = 1 << 20;
    /** The longest any duration of a drill may be: a simulated year ran the heap out, and so did a day at 512 MB. */
    public static final Duration MAX_DURATION = Duration.ofHours(1);
    /** The longest timeline, all phases and steps added (each wait and the longest fault, every branch counted whole). */
    public static final Duration MAX_TIMELINE = Duration.ofHours(2);

    public static Drill read(Path file) {
        // bounded: a FIFO never ended the read, /dev/zero ran the heap out, and not UTF-8 said "Input length = 1"
        return read(file.getFileName().toString(), ConfigFiles.read(file, "drill file", MAX_BYTES));
    }

    public static Drill read(String name, String text) {
        YamlText yaml = YamlText.parse(name, text, "drill file");
        JsonNode root = yaml.root();
        Problems problems = yaml.problems();
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(name + ": the drill file is empty");
        }
        Section top = Section.of(problems, "", root);
        if (top == null) {
            problems.throwIfAny();
        }
        String drillName = required(top, "name", top.string("name"));
        String description = required(top, "description", top.string("description"));
        String hypothesis = required(top, "hypothesis", top.string("hypothesis"));
        Drill.Target target = target(top);
        Duration steady = or(top.duration("steady_state", MAX_DURATION), Duration.ofMinutes(1));
        Duration recovery = or(top.duration("recovery_window", MAX_DURATION), Duration.ofMinutes(2));
        Duration observe = or(top.duration("observe", MAX_DURATION), Duration.ofMinutes(1));
        List<Drill.Probe> probes = new ArrayList<>();
        for (Section p : top.sections("probes")) {
            Drill.Probe probe = probe(p, target.tiers());
            if (probe != null) {
                probes.add(probe);
            }
        }
        if (probes.isEmpty() && top.problemCount() == 0) {
            top.problem("probes", "must list at least one probe: a drill without a hypothesis to check proves nothing");
        }
        List<Drill.StopCondition> stops = new ArrayList<>();
        for (Section s : top.sections("stop_conditions")) {
            Drill.StopCondition stop = stop(s, target.tiers());
            if (stop != null) {
                stops.add(stop);
            }
        }
        List<Drill.Step> steps = steps(top, "steps");
        if (top.raw("steps") == null || steps.isEmpty() && top.problemCount() == 0) {
            top.problem("steps", "must list at least one step: a drill that does nothing judges only the steady state");
        }
        List<String> injected = new ArrayList<>();
        forEachStep(steps, step -> {
            if (step instanceof Drill.Step.Inject inject && inject.name() != null) {
                injected.add(inject.name());
            }
        });
        forEachStep(steps, step -> { // a clear of nothing did nothing, and the verdict judged a fault never ended
            if (step instanceof Drill.Step.Clear clear && !clear.name().equals("all") && !injected.contains(clear.name())) {
                top.problem(top.at("steps"), "clear: '" + clear.name() + "' names no inject step; give the inject"
                        + " name: " + clear.name() + ", or clear: all" + (injected.isEmpty() ? "" : " (named: " + injected + ")"));
            }
        });
        top.finish();
        problems.throwIfAny();
        Duration[] timeline = {steady.plus(recovery).plus(observe), Duration.ZERO};
        forEachStep(steps, step -> {
            if (step instanceof Drill.Step.Wait wait) {
                timeline[0] = timeline[0].plus(wait.duration());
            } else if (step instanceof Drill.Step.Inject inject && inject.fault().duration() != null
                    && inject.fault().duration().compareTo(timeline[1]) > 0) {
                timeline[1] = inject.fault().duration();
            }
        });
        if (timeline[0].plus(timeline[1]).compareTo(MAX_TIMELINE) > 0) { // 60,000 waits of an hour each fit in a file
            top.problem(top.at("steps"), "take the drill past " + MAX_TIMELINE.toHours() + "h: its phases, waits and longest"
                    + " fault add up to " + timeline[0].plus(timeline[1]).toMinutes() + " min; split it, or shorten its waits");
            problems.throwIfAny();
        }
        return new Drill(drillName, description, hypothesis, target, steady, recovery, observe, probes, stops, steps);
    }

    private static Drill.Target target(Section top) {
        Section t = top.section("target");
        if (t == null) {
            return new Drill.Target(4, 32, "priority", Map.of(), 0.7, 1, Duration.ofSeconds(10), 3, "inheritance");
        }
        int gpus = or(t.integer("gpus", 1, 64), 4);
        int batch = or(t.integer("max_batch", 1, 1024), 32);
        String policy = or(t.string("policy"), "priority");
        if (!PolicyRegistry.names().contains(policy)) {
            t.problem(t.at("policy"), "unknown policy '" + policy + "'; known: " + PolicyRegistry.names());
        }
        Map<String, String> parameters = or(t.texts("policy_parameters"), Map.of());
        double load = number(t, "load", 0, 10, 0.7);
        long seed = or(t.whole("seed", 0, Long.MAX_VALUE), 1L);
        JsonNode watchdogNode = t.raw("watchdog");
        Duration watchdog = Duration.ofSeconds(10);
        // YAML 1.1 reads a bare off as false
        if (watchdogNode != null && (watchdogNode.isBoolean() && !watchdogNode.asBoolean()
                || watchdogNode.isTextual() && watchdogNode.asText().trim().equals("off"))) {
            watchdog = null;
        } else if (watchdogNode != null) {
            watchdog = t.duration("watchdog", MAX_DURATION);
        }
        int attempts = or(t.integer("max_attempts", 1, 100), 3);
        String inversion = or(exactly(t, "inversion", List.of("none", "inheritance", "ceiling")), "inheritance");
        String store = or(exactly(t, "store", List.of("none", "embedded", "redis")), "none");
        Drill.Callbacks callbacks = callbacks(t);
        // the config's tiers section: a drill can run, and its probes name, a table of its own (decision 0070)
        Section tiers = t.section("tiers"); // an empty heading is no table of its own, as one left out
        FlowSettings flow = tiers == null ? null : FlowReader.tiers(tiers, Map.of());
        Drill.Backends backends = backends(t);
        if (backends != null && !store.equals("none")) {
            t.problem(t.at("store"), "must be none with target.backends (a real backend's drill keeps its tasks in memory)");
        }
        t.finish();
        return new Drill.Target(gpus, batch, policy, parameters, load, seed, watchdog, attempts, inversion, store, callbacks,
                flow, backends);
    }

    /** {@code target.backends}: real servers, each behind a fault proxy (decision 0082). */
    private static Drill.Backends backends(Section t) {
        Section b = t.section("backends");
        if (b == null) {
            return null;
        }
        Map<String, String> servers = or(b.texts("servers"), Map.of());
        if (servers.isEmpty()) {
            b.problem(b.at("servers"), "needs at least one server, as in {a: \"http://127.0.0.1:8000\"}");
        }
        servers.forEach((name, url) -> {
            if (!name.matches("[a-z0-9][a-z0-9-]{0,31}") || name.equals("redis")) {
                b.problem(b.at("servers"), "a server's name is 1-32 of a-z, 0-9 and '-' (not redis), got '" + name + "'");
            }
            if (!url.matches("https?://[^\\s/]+(/\\S*)?")) {
                b.problem(b.at("servers"), "server " + name + ": must be an http(s) base URL, got '" + url + "'");
            }
        });
        double capacity = number(b, "capacity", 0.1, 100_000, 10);
        int slots = or(b.integer("slots", 1, 1024), 8);
        Duration firstToken = or(b.duration("first_token_timeout", MAX_DURATION), Duration.ofSeconds(2));
        b.finish();
        return new Drill.Backends(servers, capacity, slots, firstToken);
    }

    /** {@code target.callbacks}: the dispatcher's settings, with serve's defaults. */
    private static Drill.Callbacks callbacks(Section t) {
        Section c = t.section("callbacks");
        if (c == null) {
            return null;
        }
        int attempts = or(c.integer("max_attempts", 1, 100), 6);
        Duration base = or(c.duration("base_delay", MAX_DURATION), Duration.ofMillis(500));
        Duration max = or(c.duration("max_delay", MAX_DURATION), Duration.ofSeconds(60));
        if (max.compareTo(base) < 0) {
            c.problem(c.at("max_delay"), "must be at least base_delay (" + base + "), got " + max);
            max = base;
        }
        c.finish();
        return new Drill.Callbacks(attempts, base, max);
    }

    private static Drill.Probe probe(Section p, Tiers tiers) {
        int before = p.problemCount();
        String name = required(p, "name", p.string("name"));
        Drill.Metric metric = metric(p, "metric");
        Integer priority = p.integer("priority", 0, 9);
        String tier = tier(p, tiers);
        Double max = optionalNumber(p, "max");
        Double min = optionalNumber(p, "min");
        if (max == null && min == null) {
            p.problem(p.path(), "needs max or min: the bound the measurement must keep");
        }
        Drill.Mode mode = mode(p);
        double weight = number(p, "weight", 0, 100, 1);
        p.finish();
        return p.problemCount() > before || metric == null ? null
                : new Drill.Probe(name, metric, priority, tier, max, min, mode, weight);
    }

    private static Drill.StopCondition stop(Section s, Tiers tiers) {
        int before = s.problemCount();
        Drill.Metric metric = metric(s, "metric");
        if (metric != null && metric.wholeRun()) {
            s.problem(s.at("metric"), "is known only at the end of a run; a stop condition needs a metric of a window");
        }
        Integer priority = s.integer("priority", 0, 9);
        String tier = tier(s, tiers);
        Double above = optionalNumber(s, "above");
        if (above == null) {
            s.problem(s.path(), "needs above: the value past which the drill is aborted");
        }
        Duration window = or(s.duration("window", MAX_DURATION), Duration.ofSeconds(30));
        s.finish();
        return s.problemCount() > before ? null : new Drill.StopCondition(metric, priority, tier, above, window);
    }

    private static void forEachStep(List<Drill.Step> steps, java.util.function.Consumer<Drill.Step> action) {
        for (Drill.Step step : steps) {
            action.accept(step);
            if (step instanceof Drill.Step.Parallel parallel) {
                parallel.branches().forEach(branch -> forEachStep(branch, action));
            }
        }
    }

    private static List<Drill.Step> steps(Section owner, String key) {
        List<Drill.Step> steps = new ArrayList<>();
        for (Section s : owner.sections(key)) {
            Drill.Step step = step(s);
            if (step != null) {
                steps.add(step);
            }
        }
        return steps;
    }

    private static Drill.Step step(Section s) {
        int before = s.problemCount();
        Drill.Step step = null;
        int kinds = 0;
        if (s.raw("wait") != null) {
            kinds++;
            Duration d = s.duration("wait", MAX_DURATION);
            step = d == null ? null : new Drill.Step.Wait(d);
        }
        if (s.raw("clear") != null) {
            kinds++;
            String name = s.string("clear");
            step = name == null ? null : new Drill.Step.Clear(name);
        }
        if (s.raw("load") != null) {
            kinds++;
            step = new Drill.Step.Load(number(s, "load", 0, 10, 1));
        }
        if (s.raw("inject") != null) {
            kinds++;
            step = inject(s.section("inject"));
        }
        if (s.raw("submit") != null) {
            kinds++;
            Section b = s.section("submit");
            if (b != null) {
                step = new Drill.Step.Submit(or(b.integer("count", 1, 100_000), 1), or(b.integer("priority", 0, 9), 5),
                        or(b.integer("prompt_tokens", 1, 100_000), 256), or(b.integer("output_tokens", 1, 100_000), 128),
                        b.string("resource"));
                b.finish();
            }
        }
        if (s.raw("parallel") != null) {
            kinds++;
            JsonNode branches = s.raw("parallel");
            List<List<Drill.Step>> lists = new ArrayList<>();
            if (!branches.isArray()) {
                s.problem(s.at("parallel"), "must be a list of branches, each a mapping with steps");
            } else {
                for (Section branch : s.sections("parallel")) {
                    lists.add(steps(branch, "steps"));
                    branch.finish();
                }
            }
            step = new Drill.Step.Parallel(lists);
        }
        if (kinds != 1) {
            s.problem(s.path(), kinds == 0 ? "must be one of inject, wait, clear, load, submit or parallel"
                    : "must hold exactly one of inject, wait, clear, load, submit or parallel");
        }
        s.finish();
        return s.problemCount() > before ? null : step;
    }

    private static Drill.Step inject(Section i) {
        if (i == null) {
            return null;
        }
        String name = i.string("name");
        String kindText = required(i, "kind", i.string("kind"));
        String targetText = or(i.string("target"), "node");
        Duration duration = i.duration("duration", MAX_DURATION);
        Map<String, Double> parameters = new LinkedHashMap<>();
        Map<String, String> texts = or(i.texts("parameters"), Map.of());
        for (Map.Entry<String, String> e : texts.entrySet()) {
            try {
                parameters.put(e.getKey(), Double.parseDouble(e.getValue()));
            } catch (NumberFormatException bad) {
                i.problem(i.at("parameters." + e.getKey()), "must be a number, got '" + e.getValue() + "'");
            }
        }
        i.finish();
        if (kindText == null) {
            return null;
        }
        try {
            FaultKind kind = FaultKind.parse(kindText);
            return new Drill.Step.Inject(name, new FaultSpec(kind, BlastRadius.parse(targetText), parameters, duration));
        } catch (IllegalArgumentException e) {
            for (String problem : e.getMessage().split("\n")) {
                int colon = problem.indexOf(": ");
                String field = colon < 0 ? "" : problem.substring(0, colon);
                i.problem(field.isEmpty() ? i.path() : i.at(field), colon < 0 ? problem : problem.substring(colon + 2));
            }
            return null;
        }
    }

    private static Drill.Metric metric(Section s, String key) {
        String text = required(s, key, s.string(key));
        if (text == null) {
            return null;
        }
        for (Drill.Metric metric : Drill.Metric.values()) {
            if (metric.wireName().equals(text)) {
                return metric;
            }
        }
        List<String> known = java.util.Arrays.stream(Drill.Metric.values()).map(Drill.Metric::wireName).toList();
        s.problem(s.at(key), "unknown metric '" + WireNames.shorten(text) + "'; known: " + known + WireNames.hint(text, known));
        return null;
    }

    private static Drill.Mode mode(Section s) {
        String text = exactly(s, "mode", java.util.Arrays.stream(Drill.Mode.values()).map(Drill.Mode::wireName).toList());
        return text == null ? Drill.Mode.DURING : Drill.Mode.valueOf(text.toUpperCase(Locale.ROOT));
    }

    /**
     * {@code key}'s value if it is one of {@code accepted} as written, else null (left out, or refused):
     * read exactly, as the config file's choices and every value of the API are (decision 0141):
     * "Ceiling" is refused naming the spelling meant, not read as if it were written so.
     */
    private static String exactly(Section s, String key, List<String> accepted) {
        String text = s.string(key);
        if (text == null || accepted.contains(text)) {
            return text;
        }
        s.problem(s.at(key), "must be one of " + String.join(", ", accepted) + ", got '" + WireNames.shorten(text) + "'"
                + WireNames.hint(text, accepted));
        return null;
    }

    private static String tier(Section s, Tiers tiers) {
        String tier = s.string("tier");
        if (tier != null && tiers.named(tier).isEmpty()) {
            // read exactly, as every other enum value (decision 0141): "CORE" names the spelling meant
            s.problem(s.at("tier"), "must be a tier of the target: " + tiers.names() + ", got '" + WireNames.shorten(tier) + "'"
                    + WireNames.hint(tier, tiers.list().stream().map(io.queuedeck.engine.tier.Tier::name).toList()));
            return null;
        }
        return tier;
    }

    private static Double optionalNumber(Section s, String key) {
        JsonNode value = s.raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            s.problem(s.at(key), "must be a number, got " + Section.shown(value));
            return null;
        }
        return value.asDouble();
    }

    private static double number(Section s, String key, double min, double max, double otherwise) {
        Double value = optionalNumber(s, key);
        if (value == null) {
            return otherwise;
        }
        if (value < min || value > max) {
            s.problem(s.at(key), "must be between " + min + " and " + max + ", got " + value);
            return otherwise;
        }
        return value;
    }

    private static <T> T required(Section s, String key, T value) {
        if (value == null && s.raw(key) == null) {
            s.problem(s.at(key), "is required");
        }
        return value;
    }

    private static <T> T or(T value, T otherwise) {
        return value == null ? otherwise : value;
    }
}
