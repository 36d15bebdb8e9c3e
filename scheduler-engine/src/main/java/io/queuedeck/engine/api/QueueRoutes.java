package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.WireNames;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code GET /v1/queues} and the queue actions: pause, resume and drain tiers, lanes or all dispatch. */
final class QueueRoutes {
    private static final List<String> VERBS = List.of("pause", "resume", "drain");

    private final Engine engine;
    private final EngineAnswers answers;

    QueueRoutes(Engine engine, EngineAnswers answers) {
        this.engine = engine;
        this.answers = answers;
    }

    /** {@code GET /v1/queues}. */
    record Queues(String policy, @JsonProperty("dispatch_paused") boolean dispatchPaused, int queued, int running,
                  @JsonProperty("oldest_wait_ms") double oldestWaitMs, @JsonProperty("by_tier") Map<String, Integer> byTier,
                  @JsonProperty("by_priority") List<Integer> byPriority, @JsonProperty("by_level") List<Integer> byLevel,
                  @JsonProperty("tier_modes") Map<String, String> tierModes,
                  @JsonProperty("lane_modes") List<String> laneModes, Flow flow) {}

    /** Flow control in {@code GET /v1/queues} (docs/flow-control.md). */
    record Flow(boolean saturated, int slots, Map<String, TierFlow> tiers) {}

    /** One tier's flow figures; counts since start. */
    record TierFlow(int waiting, @JsonProperty("waiting_bytes") long waitingBytes, int running, long shed, long spilled,
                    long parked, @JsonProperty("timed_out") long timedOut, long demoted, long evicted) {}

    /**
     * {@code POST /v1/queues/{tier}:pause|resume|drain}, tier a name of the tier table (default
     * {@code core}, {@code normal}, {@code batch}) or {@code all}, or one priority lane {@code p0}..{@code p9}. {@code all:pause}
     * and {@code all:resume} stop and restart dispatch as a whole; {@code all:drain} drains every tier,
     * except a tier paused on its own, and {@code all:resume} ends every drain, of tiers and of lanes
     * (pauses stay).
     * Answers the queues as they are afterwards.
     */
    Queues act(Context ctx) {
        TaskAccess.requireUnbound(ctx, "pause, resume or drain queues", Scope.OPERATE);
        Client client = TaskAccess.client(ctx);
        if (client != null) {
            client.checkMayControlQueues();
        }
        String action = ctx.pathParam("action");
        int colon = action.lastIndexOf(':');
        // exactly as written (decision 0141): "CORE:Pause" is a 400 naming "core:pause", and what is audited is what ran
        String tierName = colon < 0 ? "" : action.substring(0, colon);
        String verb = colon < 0 ? action : action.substring(colon + 1);
        List<String> targets = new java.util.ArrayList<>(engine.tiers().list().stream().map(Tier::name).toList());
        targets.add("all");
        for (int lane = 0; lane <= 9; lane++) {
            targets.add("p" + lane);
        }
        nearMiss("action", verb, VERBS);
        if (colon >= 0) {
            nearMiss("tier", tierName, targets);
        }
        if (!VERBS.contains(verb)) {
            throw new ApiException(404, "not_found", "unknown queue action '" + ApiException.shorten(action)
                    + "'; use POST /v1/queues/{" + engine.tiers().names().replace(", ", "|") + "|all|p0..p9}:{pause|resume|drain}");
        }
        TierMode mode = switch (verb) {
            case "pause" -> TierMode.PAUSED;
            case "drain" -> TierMode.DRAINING;
            default -> TierMode.ACTIVE;
        };
        if (tierName.matches("p[0-9]")) {
            answers.await(engine.send(new Command.SetLaneMode(tierName.charAt(1) - '0', mode)));
            return queues(answers.await(engine.send(new Command.TakeSnapshot())));
        }
        Tier named = tierName.equals("all") ? null : engine.tiers().named(tierName).filter(t -> !t.deadLetter())
                .orElseThrow(() -> new ApiException(404, "not_found", "unknown tier '" + ApiException.shorten(tierName)
                        + "'; use " + engine.tiers().names() + ", all or a priority lane p0..p9"));
        List<Tier> tiers = named == null ? List.of() : List.of(named);
        if (tiers.isEmpty() && mode != TierMode.DRAINING) {
            answers.await(engine.send(new Command.PauseDispatch(mode == TierMode.PAUSED)));
            if (mode == TierMode.ACTIVE) { // all:resume ends every drain, of tiers and of lanes
                EngineSnapshot now = answers.await(engine.send(new Command.TakeSnapshot()));
                for (Tier tier : engine.tiers().list()) {
                    if (now.tierModes().get(tier) == TierMode.DRAINING) {
                        answers.await(engine.send(new Command.SetTierMode(tier, TierMode.ACTIVE)));
                    }
                }
                for (int lane = 0; lane < now.laneModes().size(); lane++) {
                    if (now.laneModes().get(lane) == TierMode.DRAINING) {
                        answers.await(engine.send(new Command.SetLaneMode(lane, TierMode.ACTIVE)));
                    }
                }
            }
        } else {
            EngineSnapshot now = answers.await(engine.send(new Command.TakeSnapshot()));
            for (Tier tier : tiers.isEmpty() ? engine.tiers().list() : tiers) {
                // all:drain leaves a tier the operator paused paused: draining it would dispatch what was held
                if (tiers.isEmpty() && now.tierModes().get(tier) == TierMode.PAUSED) {
                    continue;
                }
                answers.await(engine.send(new Command.SetTierMode(tier, mode)));
            }
        }
        // the published snapshot may predate the command: answer from a fresh one
        return queues(answers.await(engine.send(new Command.TakeSnapshot())));
    }

    /** A path segment that differs from an accepted one only in case: a 400 on {@code field}, naming the spelling meant. */
    static void nearMiss(String field, String given, List<String> accepted) {
        if (!accepted.contains(given) && WireNames.meant(given, accepted) != null) {
            throw ApiException.invalid(field, WireNames.refusal(field, given, accepted));
        }
    }

    static Queues queues(EngineSnapshot s) {
        Map<String, Integer> byTier = new LinkedHashMap<>();
        for (Tier tier : s.tiers().list()) {
            byTier.put(tier.name(), s.queuedByTier().getOrDefault(tier, 0));
        }
        byTier.put(Tier.DEAD_LETTER.name(), s.queuedByTier().getOrDefault(Tier.DEAD_LETTER, 0));
        Map<String, String> modes = new LinkedHashMap<>();
        for (Tier tier : s.tiers().list()) {
            modes.put(tier.name(),
                    s.tierModes().getOrDefault(tier, TierMode.ACTIVE).name().toLowerCase(Locale.ROOT));
        }
        return new Queues(s.policy(), s.dispatchPaused(), s.queued(), s.running(), s.oldestWaitMs(), byTier,
                s.queuedByPriority(), s.queuedByLevel(), modes,
                s.laneModes().stream().map(m -> m.name().toLowerCase(Locale.ROOT)).toList(), flow(s));
    }

    private static Flow flow(EngineSnapshot s) {
        Map<String, TierFlow> tiers = new LinkedHashMap<>();
        for (var t : s.flow().tiers()) {
            tiers.put(t.tier().name(), new TierFlow(t.waiting(), t.waitingBytes(), t.running(),
                    t.shed(), t.spilled(), t.parked(), t.timedOut(), t.demoted(), t.evicted()));
        }
        return new Flow(s.flow().saturated(), s.flow().slots(), tiers);
    }

    /** Path segments come from the client: echo at most 100 characters of one. */
}
