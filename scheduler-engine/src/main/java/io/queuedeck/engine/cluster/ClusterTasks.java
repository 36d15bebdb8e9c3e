package io.queuedeck.engine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.api.SharedTasks;
import java.io.IOException;
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
        Map<String, String> f = queue.task(id);
        if (f.isEmpty() || f.get("state") == null) {
            return Optional.empty();
        }
        String model = null, tenant = null;
        try {
            JsonNode spec = JSON.readTree(f.getOrDefault("spec", "{}"));
            model = spec.path("model").asText(null);
            tenant = spec.path("tenant").asText(null);
        } catch (IOException e) {
            // a record without a readable spec still has its state
        }
        String detail = f.get("detail");
        return Optional.of(new Shared(id, f.get("state"), intOf(f.get("prio")), model, tenant, f.get("node"),
                f.get("finished_by"), detail == null || detail.isEmpty() ? null : detail, intOf(f.get("attempts")),
                intOf(f.get("deliveries")), f.get("state").equals("leased") && f.containsKey("cancel") ? Boolean.TRUE : null));
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
