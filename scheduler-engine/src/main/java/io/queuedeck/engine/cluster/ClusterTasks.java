package io.queuedeck.engine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.api.RateLimit;
import io.queuedeck.engine.api.SharedTasks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The REST API's view of the shared queue (distributed mode): a task's Redis record as {@link SharedTasks.Shared}. */
public final class ClusterTasks implements SharedTasks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SharedQueue queue;

    /** The tasks of {@code queue} as the REST API of one of its nodes reads and changes them. */
    public ClusterTasks(SharedQueue queue) {
        this.queue = queue;
    }

    @Override
    public Optional<Shared> find(String id) {
        return shared(id, queue.task(id));
    }

    /** A task's fields as {@link SharedQueue#task} answers them, as the REST API's record; empty when unknown. */
    public static Optional<Shared> shared(String id, Map<String, String> f) {
        if (f.isEmpty() || f.get("state") == null) {
            return Optional.empty();
        }
        String model = null, tenant = null, rule = null;
        try {
            JsonNode spec = JSON.readTree(f.getOrDefault("spec", "{}"));
            model = spec.path("model").asText(null);
            tenant = spec.path("tenant").asText(null);
            rule = spec.path("classification").path("rule").asText(null);
        } catch (IOException e) {
            // a record without a readable spec still has its state
        }
        String detail = f.get("detail");
        return Optional.of(new Shared(id, f.get("state"), intOf(f.get("prio")), model, tenant, f.get("node"),
                f.get("finished_by"), detail == null || detail.isEmpty() ? null : detail, intOf(f.get("attempts")),
                intOf(f.get("deliveries")), f.get("state").equals("leased") && f.containsKey("cancel") ? Boolean.TRUE : null,
                rule));
    }

    @Override
    public long takeRequest(String client, RateLimit rate) {
        long millis = queue.takeRequest(client, rate.requestsPerSecond(), rate.burst());
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }

    @Override
    public Page list(String state, String tier, int offset, int limit) {
        SharedQueue.Listing listing = switch (state) {
            case "waiting" -> SharedQueue.Listing.WAITING;
            case "leased" -> SharedQueue.Listing.LEASED;
            case "dead" -> SharedQueue.Listing.DEAD;
            default -> throw new IllegalArgumentException("state must be waiting, leased or dead, got '" + state + "'");
        };
        if (listing != SharedQueue.Listing.WAITING) {
            if (tier != null) {
                throw new IllegalArgumentException("tier lists waiting tasks only");
            }
            SharedQueue.Page page = queue.list(listing, 0, offset, limit, true);
            return new Page(page.tasks().stream().map(ClusterTasks::shared).toList(), page.total(), offset);
        }
        List<SharedQueue.TierLevel> all = queue.levels().tiers();
        List<SharedQueue.TierLevel> tiers = all;
        if (tier != null) {
            tiers = List.of(all.stream().filter(t -> t.name().equals(tier)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("tier must be one of "
                            + all.stream().map(SharedQueue.TierLevel::name).toList() + ", got '" + tier + "'"
                            + io.queuedeck.engine.task.WireNames.hint(tier, all.stream().map(SharedQueue.TierLevel::name).toList()))));
        }
        // every tier in claim order, as one list: the offset walks past whole tiers first
        List<Shared> tasks = new ArrayList<>();
        long total = 0;
        long skip = offset;
        for (SharedQueue.TierLevel t : tiers) {
            total += t.waiting();
            if (skip >= t.waiting()) {
                skip -= t.waiting();
                continue;
            }
            int want = limit - tasks.size();
            if (want > 0) {
                queue.list(SharedQueue.Listing.WAITING, t.tier(), (int) skip, want, true).tasks()
                        .forEach(task -> tasks.add(shared(task)));
            }
            skip = 0;
        }
        return new Page(List.copyOf(tasks), total, offset);
    }

    private static Shared shared(SharedQueue.Listed t) {
        String model = null, tenant = null, rule = null;
        try {
            JsonNode spec = JSON.readTree(t.spec() == null ? "{}" : t.spec());
            model = spec.path("model").asText(null);
            tenant = spec.path("tenant").asText(null);
            rule = spec.path("classification").path("rule").asText(null);
        } catch (IOException e) {
            // a record without a readable spec still has its state
        }
        return new Shared(t.id(), t.state(), t.priority(), model, tenant, t.node(), t.finishedBy(), t.detail(), t.attempts(),
                t.deliveries(), t.state().equals("leased") && t.cancelRequested() ? Boolean.TRUE : null, rule);
    }

    @Override
    public Cluster cluster() {
        SharedQueue.Levels levels = queue.levels();
        Map<String, TierLevel> tiers = new LinkedHashMap<>();
        for (SharedQueue.TierLevel t : levels.tiers()) {
            tiers.put(t.name(), new TierLevel(t.waiting(), t.leased(), t.paused() ? "paused" : t.draining() ? "draining" : "active"));
        }
        List<Node> nodes = new ArrayList<>();
        for (SharedQueue.NodeStatus n : queue.nodes()) {
            JsonNode instances;
            try {
                instances = JSON.readTree(n.detail().isEmpty() ? "[]" : n.detail());
            } catch (IOException e) {
                instances = JSON.createArrayNode();
            }
            nodes.add(new Node(n.name(), n.ageMillis(), instances));
        }
        return new Cluster(queue.node(), List.copyOf(nodes), tiers, levels.dead(), dataLoss(queue.dataLoss()));
    }

    private static DataLoss dataLoss(SharedQueue.DataLoss loss) {
        return loss.times() == 0 ? null : new DataLoss(loss.times(), loss.markerGone(), loss.markerBy(),
                java.time.Instant.ofEpochMilli(loss.markerAtMillis()).toString(), loss.waiting(), loss.leased(),
                loss.leasedHere(), loss.dead(), loss.message());
    }

    @Override
    public Reclaimed reclaim(String node) {
        SharedQueue.Reclaimed r = queue.reclaim(node);
        String outcome = r.kind().name().toLowerCase(java.util.Locale.ROOT);
        return new Reclaimed(node, outcome, r.kind() == SharedQueue.Reclaimed.Kind.ALIVE ? r.heardMillisAgo() : null,
                r.tasks(), r.requeued(), r.dead(), r.cancelled());
    }

    @Override
    public void tierMode(String tier, io.queuedeck.engine.tier.TierMode mode) {
        List<SharedQueue.TierLevel> tiers = queue.levels().tiers();
        SharedQueue.TierLevel one = tiers.stream().filter(t -> t.name().equals(tier)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("tier must be one of "
                        + tiers.stream().map(SharedQueue.TierLevel::name).toList() + ", got '" + tier + "'"
                        + io.queuedeck.engine.task.WireNames.hint(tier, tiers.stream().map(SharedQueue.TierLevel::name).toList())));
        queue.tierMode(one.tier(), mode);
    }

    private static int intOf(String text) {
        return text == null ? 0 : (int) Double.parseDouble(text);
    }

    @Override
    public String node() {
        return queue.node();
    }

    @Override
    public String reprioritize(String id, int priority) {
        return queue.reprioritize(id, priority);
    }

    @Override
    public String place(String id, String beforeId) {
        return queue.place(id, beforeId);
    }

    @Override
    public String cancel(String id) {
        return queue.cancel(id);
    }
}
