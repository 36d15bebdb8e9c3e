package io.queuedeck.console.gpus;

import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.console.ui.Fxml;
import io.queuedeck.console.widgets.GpuActions;
import io.queuedeck.console.widgets.MeterRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * One card per GPU: state, batch occupancy, KV cache, speed, and its buttons. A real inference
 * server's card shows its URL, slots in use, TTFT and tokens/s, the server's own queue and cache.
 */
public final class GpusView {
    public static final String CARD_CLASS = "gpu-card";
    public static final String STATE_CLASS = "gpu-state";
    /**
     * The narrowest a card gets: its header, meters and "running:" line whole, its buttons on two rows.
     * Cards share the width in as many columns as hold this: two in a 1024 px window, where one card
     * of a fixed 432 px left 350 px empty beside it.
     */
    static final double CARD_LEAST = 360;

    private final GpusViewModel model;
    private final Parent root;
    private final List<Card> cards = new ArrayList<>();
    @FXML
    private FlowPane cardPane;

    public GpusView(GpusViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Gpus");
        model.rows().addListener((ListChangeListener<GpuRow>) this::onChange);
        model.stalledProperty().addListener((o, a, stalled) -> {
            for (int i = 0; i < cards.size() && i < model.rows().size(); i++) {
                cards.get(i).update(model.rows().get(i));
            }
        });
        cardPane.widthProperty().addListener((o, a, w) -> fitCards());
        model.runningByGpuProperty().addListener((o, a, byGpu) -> {
            for (int i = 0; i < cards.size(); i++) {
                cards.get(i).showTasks(byGpu.getOrDefault(cards.get(i).id, List.of()));
            }
        });
        refresh();
    }

    public Parent root() {
        return root;
    }

    /** Redraws only the cards whose GPU changed (a snapshot replaces rows one by one). */
    private void onChange(ListChangeListener.Change<? extends GpuRow> change) {
        if (cards.size() != model.rows().size()) {
            refresh();
            return;
        }
        while (change.next()) {
            for (int i = change.getFrom(); i < change.getTo(); i++) {
                cards.get(i).update(model.rows().get(i));
            }
        }
    }

    private void refresh() {
        List<GpuRow> rows = model.rows();
        if (cards.size() != rows.size()) {
            cards.clear();
            cardPane.getChildren().clear();
            for (GpuRow row : rows) {
                Card card = new Card(row.id());
                cards.add(card);
                cardPane.getChildren().add(card.box);
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            cards.get(i).update(rows.get(i));
        }
        fitCards();
    }

    private void fitCards() {
        double room = cardPane.getWidth() - cardPane.snappedLeftInset() - cardPane.snappedRightInset();
        if (room <= 0) {
            return; // not laid out yet: the cards keep their first width until it is
        }
        double width = cardWidth(room, cardPane.getHgap());
        for (Card card : cards) {
            card.box.setPrefWidth(width);
            card.box.setMaxWidth(width);
        }
    }

    /** Each card's width in {@code room}: as many columns as hold {@link #CARD_LEAST}, sharing what is left. */
    static double cardWidth(double room, double gap) {
        int columns = Math.max(1, (int) Math.floor((room + gap) / (CARD_LEAST + gap)));
        return Math.floor((room - gap * (columns - 1)) / columns);
    }

    /**
     * An id short enough for a card, its end kept: ids a client numbers share their start
     * ("bulk-01400", "bulk-01401" were both "bulk-014"); generated ones differ everywhere.
     */
    static String shortId(String id) {
        return id.length() <= 12 ? id : "…" + id.substring(id.length() - 9);
    }

    private final class Card {
        final VBox box = new VBox(10);
        final Label title = new Label();
        final Label model = new Label();
        final Label state = new Label();
        final MeterRow batch = new MeterRow("Batch");
        final MeterRow kv = new MeterRow("KV cache");
        final Label speed = new Label();
        final Label url = new Label();
        final Label server = new Label();
        final GpuActions actions;
        final Label tasks = new Label("running: –\n ");
        final int id;

        Card(int id) {
            this.id = id;
            tasks.getStyleClass().add("gpu-tasks");
            tasks.setId("gpu-" + id + "-tasks");
            tasks.setWrapText(false);
            tasks.setTextOverrun(javafx.scene.control.OverrunStyle.ELLIPSIS);
            box.getStyleClass().add(CARD_CLASS);
            box.setId("gpu-card-" + id);
            box.setPrefWidth(432); // until the pane has a width: then fitCards
            title.getStyleClass().add("gpu-title");
            title.setText("GPU " + id);
            model.getStyleClass().add("gpu-model");
            state.getStyleClass().add(STATE_CLASS);
            state.setId("gpu-" + id + "-state");
            Region spacer = new Region();
            HBox.setHgrow(spacer, Priority.ALWAYS);
            HBox head = new HBox(8, title, model, spacer, state);
            head.setAlignment(Pos.CENTER_LEFT);
            // the name and the state keep their whole text; a long model name (meta-llama/…) gives way, its tooltip whole
            title.setMinWidth(Region.USE_PREF_SIZE);
            state.setMinWidth(Region.USE_PREF_SIZE);
            model.setMinWidth(0);
            model.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
            model.setTooltip(new javafx.scene.control.Tooltip());
            model.getTooltip().textProperty().bind(model.textProperty());
            speed.getStyleClass().add("gpu-speed");
            speed.setId("gpu-" + id + "-speed");
            speed.setWrapText(true); // "no progress for 12 s: …" or a backend's rates with a 429 pause: whole in a narrow card
            speed.setMinHeight(Region.USE_PREF_SIZE);
            url.getStyleClass().add("gpu-url");
            url.setId("gpu-" + id + "-url");
            server.getStyleClass().add("gpu-speed");
            server.setId("gpu-" + id + "-server");
            server.setWrapText(true);
            server.setMinHeight(Region.USE_PREF_SIZE);
            showBackendLines(false);
            actions = new GpuActions(GpusView.this.model.gpuCommands(), id, "gpus").onDrainServer(GpusView.this.model::drainServer);
            box.getChildren().addAll(head, url, batch, kv, speed, server, tasks, actions);
        }

        private void showBackendLines(boolean shown) {
            url.setVisible(shown);
            url.setManaged(shown);
            server.setVisible(shown);
            server.setManaged(shown);
        }

        /**
         * Always two lines, the ids on the first and how many more on the second (blank when none),
         * so the buttons below keep their place when a GPU empties or fills.
         */
        void showTasks(List<String> ids) {
            String shown = ids.stream().limit(3).map(GpusView::shortId).collect(java.util.stream.Collectors.joining(", "));
            String text = (ids.isEmpty() ? "running: none" : "running: " + shown) + "\n"
                    + (ids.size() > 3 ? "+" + (ids.size() - 3) + " more" : " ");
            if (!text.equals(tasks.getText())) {
                tasks.setText(text);
            }
        }

        void update(GpuRow row) {
            model.setText(row.model());
            state.setText(row.stateText());
            String stateClass = row.state().name().toLowerCase(Locale.ROOT);
            if (!state.getStyleClass().contains(stateClass)) {
                state.getStyleClass().removeAll("up", "slow", "offline", "down", "loading");
                state.getStyleClass().add(stateClass);
            }
            String level = switch (row.state()) {
                case UP -> "ok";
                case SLOW -> "warn";
                default -> "bad";
            };
            if (row.isBackend()) {
                title.setText("Backend " + id);
                url.setText(row.backend().url());
                server.setText(row.serverText());
                batch.set("Slots", row.slotFraction(), row.slotsText(), level);
            } else {
                title.setText("GPU " + id);
                batch.set("Batch", row.batchFraction(), row.running() + " / " + row.batchCapacity(), level);
            }
            showBackendLines(row.isBackend());
            kv.set("KV cache", row.kvFraction(), row.kvText(), row.kvFraction() > 0.9 ? "warn" : "ok");
            Long stalled = GpusView.this.model.stalledProperty().get().get(row.id());
            speed.setText(stalled == null ? row.speedText() : "no progress for " + stalled + " s: its tasks generate nothing");
            speed.getStyleClass().remove("gpu-stalled");
            if (stalled != null) {
                speed.getStyleClass().add("gpu-stalled");
            }
            actions.update(row);
        }
    }
}
