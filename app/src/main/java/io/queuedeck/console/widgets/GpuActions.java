package io.queuedeck.console.widgets;

import io.queuedeck.console.gateway.GpuCommands;
import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.engine.exec.InstanceState;
import java.util.List;
import java.util.Locale;
import javafx.scene.control.Button;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;

/**
 * The buttons of one GPU (crash, slow ×N, drain, offline/online; for a real inference server drain,
 * drain server and offline/online only), shared by the GPUs and Faults screens. Node ids are {@code <prefix>-gpu-<id>-<action>} for keyboard users' tests.
 * One row where it has the room; narrower (a GPU card in a 1024 px window) the last buttons wrap onto a
 * second row, their words whole. The Faults screen keeps them on one row (its minimum is its preferred width).
 */
public final class GpuActions extends FlowPane {
    public static final String STYLE_CLASS = "qd-gpu-actions";

    /** Slow-down factors offered to the operator. */
    public static final List<Double> SLOW_FACTORS = List.of(2.0, 3.0, 5.0, 10.0);

    private final Button crash = new Button("Crash");
    private final MenuButton slow = new MenuButton("Slow ×N");
    private final MenuItem restore = new MenuItem("Restore full speed");
    private final Button offline = new SteadyButton("Take offline", "Bring online");
    private final Button drain = new SteadyButton("Drain", "End drain");
    private final Button drainServer = new SteadyButton("Drain server", "End server drain");
    private java.util.function.BiConsumer<Integer, Boolean> serverDrain;
    private final int id;
    private final javafx.beans.property.BooleanProperty crashOff = new javafx.beans.property.SimpleBooleanProperty();
    private GpuRow row;

    public GpuActions(GpuCommands commands, int id, String prefix) {
        super(6, 6);
        this.id = id;
        getStyleClass().add(STYLE_CLASS);
        String base = prefix + "-gpu-" + id + "-";
        crash.setId(base + "crash");
        crash.getStyleClass().add("danger");
        crash.setTooltip(new Tooltip("Crash GPU " + id + ": its running tasks fail back and are retried; it restarts and reloads its model"));
        crash.setOnAction(e -> commands.crash(id));
        OffKeepingFocus.disableWhile(crash, crashOff); // pressed from the keyboard, the focus stays on it while the GPU is down
        slow.setId(base + "slow");
        slow.setTooltip(new Tooltip("Slow GPU " + id + " down: every decode and prefill step takes N times longer"));
        for (double factor : SLOW_FACTORS) {
            MenuItem item = new MenuItem(String.format(Locale.ROOT, "×%.0f slower", factor));
            item.setId(base + "slow-" + (int) factor);
            item.setOnAction(e -> commands.slow(id, factor));
            slow.getItems().add(item);
        }
        restore.setId(base + "restore");
        restore.setOnAction(e -> commands.slow(id, 1.0));
        slow.getItems().addAll(new SeparatorMenuItem(), restore);
        drain.setId(base + "drain");
        drain.setOnAction(e -> {
            if (row != null) {
                commands.drain(id, !row.draining());
            }
        });
        offline.setId(base + "offline");
        offline.setOnAction(e -> {
            if (row != null) {
                commands.setOnline(id, row.state() == InstanceState.OFFLINE);
            }
        });
        drainServer.setId(base + "drain-server");
        drainServer.setVisible(false);
        drainServer.setManaged(false);
        drainServer.setOnAction(e -> {
            if (row != null && serverDrain != null) {
                serverDrain.accept(id, !row.serverDraining());
            }
        });
        getChildren().addAll(crash, slow, drain, drainServer, offline);
        // an action's name is never cut to "…" (a narrow window showed a red "…" for Crash): the row gives way instead
        getChildren().forEach(c -> ((javafx.scene.layout.Region) c).setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE));
    }

    /** One row: a flow pane would otherwise ask for no more than its default wrap length (400 px). */
    @Override
    protected double computePrefWidth(double height) {
        double width = 0;
        int shown = 0;
        for (javafx.scene.Node child : getManagedChildren()) {
            width += snapSizeX(child.prefWidth(-1));
            shown++;
        }
        return snappedLeftInset() + snappedRightInset() + width + Math.max(0, shown - 1) * snapSpaceX(getHgap());
    }

    /**
     * A button as wide for each of its texts as for the widest, so a flip of its text moves none of
     * its neighbours (the Faults screen aligns these buttons to the right).
     */
    private static final class SteadyButton extends Button {
        private final List<String> texts;

        SteadyButton(String... texts) {
            super(texts[0]);
            this.texts = List.of(texts);
        }

        @Override
        protected double computePrefWidth(double height) {
            return SteadyWidth.of(this, super.computePrefWidth(height), texts);
        }
    }

    /** Offers "Drain server" on a backend: {@code action} drains (true) or ends the drain of its whole server. */
    public GpuActions onDrainServer(java.util.function.BiConsumer<Integer, Boolean> action) {
        serverDrain = action;
        return this;
    }

    /** Shows what makes sense for the GPU's state now. */
    public void update(GpuRow next) {
        GpuRow previous = row;
        row = next;
        if (previous != null && previous.state() == next.state() && previous.slowdown() == next.slowdown()
                && previous.draining() == next.draining() && previous.serverDraining() == next.serverDraining()
                && previous.isBackend() == next.isBackend()) {
            return; // only batch and KV moved: nothing here depends on them
        }
        // a remote server cannot be crashed or slowed from here; anything can be drained
        boolean backend = next.isBackend();
        crash.setVisible(!backend);
        crash.setManaged(!backend);
        slow.setVisible(!backend);
        slow.setManaged(!backend);
        drain.setText(next.draining() ? "End drain" : "Drain");
        drainServer.setVisible(backend && serverDrain != null);
        drainServer.setManaged(backend && serverDrain != null);
        // the server's state, not this model's: draining one model of a server leaves its others serving
        drainServer.setText(next.serverDraining() ? "End server drain" : "Drain server");
        if (backend) {
            drainServer.setTooltip(new Tooltip((next.serverDraining() ? "Let every model of " : "Drain every model of ")
                    + next.backend().url() + (next.serverDraining() ? " take new work again" : ": the requests it runs finish")));
        }
        String what = (backend ? "backend " : "GPU ") + id;
        boolean isOffline = next.state() == InstanceState.OFFLINE;
        // offline, it runs nothing: a drain then says how it comes back, which is worth offering
        drain.setTooltip(new Tooltip(next.draining()
                ? "Let " + what + " take new work again" + (isOffline ? " once it is brought online" : "")
                : isOffline ? "Drain " + what + ": brought online, it then takes no new work until the drain ends"
                : "Drain " + what + ": it takes no new work; what it runs finishes"));
        offline.setText(isOffline ? "Bring online" : "Take offline");
        offline.setTooltip(new Tooltip(isOffline
                ? "Put " + what + " back in service"
                : "Take " + what + " out of service: its running tasks go back to the queue"
                        + (backend ? " (a front-door answer already begun ends with an error instead)" : "")));
        // an offline GPU runs nothing to crash: the click was logged and audited, and nothing happened
        crashOff.set(next.state() == InstanceState.DOWN || next.state() == InstanceState.LOADING || isOffline);
        restore.setDisable(next.slowdown() == 1.0);
    }
}
