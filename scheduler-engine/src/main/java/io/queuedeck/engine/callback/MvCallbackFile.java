package io.queuedeck.engine.callback;

import io.queuedeck.engine.store.MvFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The callback file of earlier versions (an H2 MVStore file), read once so that
 * {@link SqliteDeliveryStore} can import it: task id to the delivery's JSON record in
 * {@code deliveries}, task id to the sequence of its first put in {@code order}.
 */
final class MvCallbackFile {
    static final String FILE_NAME = "callbacks.mv.db";

    private static final System.Logger LOG = System.getLogger(MvCallbackFile.class.getName());

    private MvCallbackFile() {}

    /** Every delivery in {@code dir/callbacks.mv.db}, in the order first put. */
    static List<DeliveryStore.Delivery> read(Path dir) {
        try (MVStore store = MvFiles.open(dir, FILE_NAME)) {
            MVMap<String, byte[]> deliveries = store.openMap("deliveries");
            MVMap<String, Long> order = store.openMap("order");
            List<Map.Entry<Long, DeliveryStore.Delivery>> found = new ArrayList<>(deliveries.size());
            for (Map.Entry<String, byte[]> entry : deliveries.entrySet()) {
                SqliteDeliveryStore.Stored s;
                try {
                    s = SqliteDeliveryStore.MAPPER.readValue(entry.getValue(), SqliteDeliveryStore.Stored.class);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping unreadable callback delivery for task " + entry.getKey());
                    continue;
                }
                Long sequence = order.get(entry.getKey());
                found.add(Map.entry(sequence == null ? Long.MAX_VALUE : sequence, s.delivery(entry.getKey())));
            }
            found.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
            return found.stream().map(Map.Entry::getValue).toList();
        } catch (MVStoreException | ClassCastException e) { // a page damaged in a crash: one sentence, not a trace
            throw new IllegalArgumentException("cannot read the callback file " + dir.resolve(FILE_NAME) + " of an earlier"
                    + " version: " + e.getMessage() + "; move it aside to start without the callbacks it holds");
        }
    }
}
