package io.queuedeck.console.gateway;

import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The snapshot's GPUs as {@link GpuRow}s. A row changes only when its instance did, so a view
 * bound to the list redraws what moved, not every row each frame. FX thread.
 */
public final class GpuRows {
    private final ObservableList<GpuRow> rows = FXCollections.observableArrayList();
    private final ObservableList<GpuRow> readOnly = FXCollections.unmodifiableObservableList(rows);

    public void apply(EngineSnapshot snapshot) {
        List<InstanceStatus> instances = snapshot.instances();
        if (rows.size() != instances.size()) {
            rows.setAll(instances.stream().map(i -> GpuRow.of(i, instances)).toList());
            return;
        }
        for (int i = 0; i < instances.size(); i++) {
            GpuRow next = GpuRow.of(instances.get(i), instances);
            if (!next.equals(rows.get(i))) {
                rows.set(i, next);
            }
        }
    }

    public ObservableList<GpuRow> rows() {
        return readOnly;
    }
}
