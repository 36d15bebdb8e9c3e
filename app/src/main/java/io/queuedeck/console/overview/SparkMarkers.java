package io.queuedeck.console.overview;

import io.queuedeck.console.gateway.ChangeLog;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javafx.collections.ObservableList;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.shape.Line;
import javafx.scene.shape.Rectangle;

/**
 * Fault markers on the Overview's sparklines, as on the Latency charts: each fault injected or
 * cleared in the sparklines' window is a vertical line over every sparkline tile, with a short
 * label at its top and the whole change-log entry as a tooltip. Markers a few pixels apart (a
 * drill, buttons pressed in quick succession), or whose labels find no room, are drawn as one: a
 * dashed line at the first, a thin unlabelled line at each of the others, one label ("12 faults,
 * 3 cleared") and a tooltip that lists every change with its time. TilesFX draws sparklines
 * itself, so the markers are an overlay on each tile, placed by time between the oldest and newest
 * point the sparklines hold (one point a second).
 */
final class SparkMarkers {
    static final String MARKER_CLASS = "qd-spark-marker";
    static final String LABEL_CLASS = "qd-spark-marker-label";
    /** The thin unlabelled line of each marker drawn as one with the one before it. */
    static final String TICK_CLASS = "qd-spark-marker-tick";
    /** Characters of the label at a marker's top; the tooltip has all of it. */
    static final int SHORT_LABEL = 12;
    /** The sparkline's inset from the tile's sides, as a fraction of its width (TilesFX pads its graph). */
    private static final double INSET = 0.05;
    /** Space kept between two labels. */
    private static final double GAP = 4;
    /** Markers closer than this to a group's first, in pixels, are drawn as one: their lines would be one smear. */
    static final double BURST = 10;
    /** Rows of labels a tile has room for below its value. */
    static final int LABEL_ROWS = 2;
    /**
     * Where a marker starts, as a fraction of the tile's height: below the tile's big value, which
     * ends near 0.35 (at 0.3 the labels were drawn over the value's digits, seen at 1280 x 800).
     */
    static final double TOP = 0.45;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final String FAULT = "marker-fault";
    /** A GPU's or backend's change of state as the change log writes it: "GPU 3 up → loading". */
    private static final java.util.regex.Pattern STATE_CHANGE = java.util.regex.Pattern.compile("((?:GPU|Backend) \\d+) [a-z_]+ → ([a-z_]+)");

    /** A marker placed on the sparklines: {@code fraction} 0 is the oldest point, 1 the newest. */
    record Placed(double fraction, String shortLabel, String tooltip, String styleClass, Instant at) {}

    /**
     * Markers drawn as one on a tile, oldest first: {@code x} and {@code lastX} are the first's and the
     * last's place, {@code labelX} where the label starts (moved left to stay in the tile), {@code row}
     * the row of labels it stands in.
     */
    record Group(List<Placed> members, double x, double lastX, double labelX, double labelWidth, int row) {
        /** The one marker's label, or how many there are ("3 faults", "2 cleared", "1 fault, 1 cleared"). */
        String shortLabel() {
            return label(members);
        }

        /** The one marker's entry, or every member's with its time, oldest first. */
        String tooltip() {
            if (members.size() == 1) {
                return members.getFirst().tooltip();
            }
            StringBuilder out = new StringBuilder(label(members) + " within " + span(members) + ":");
            for (Placed m : members) {
                out.append('\n').append(LocalTime.ofInstant(m.at(), ZoneId.systemDefault()).format(CLOCK)).append("  ")
                        .append(m.tooltip());
            }
            return out.toString();
        }

        /** A fault's colour if any member is a fault. */
        String styleClass() {
            return members.stream().anyMatch(m -> m.styleClass().equals(FAULT)) ? FAULT : members.getFirst().styleClass();
        }
    }

    private final ObservableList<ChangeLog.Entry> entries;
    private final List<Pane> overlays = new ArrayList<>();
    private List<Placed> shown = List.of();

    SparkMarkers(ObservableList<ChangeLog.Entry> entries) {
        this.entries = entries;
    }

    /**
     * The fault and recovery entries between {@code oldest} and {@code newest}, placed; the rest
     * (policy switches, operator actions) stay on the Latency charts, where there is room.
     */
    static List<Placed> place(List<ChangeLog.Entry> entries, Instant oldest, Instant newest) {
        List<Placed> placed = new ArrayList<>();
        if (oldest == null || newest == null || !newest.isAfter(oldest)) {
            return placed;
        }
        double span = newest.toEpochMilli() - oldest.toEpochMilli();
        for (ChangeLog.Entry entry : entries) {
            if (entry.kind() != ChangeLog.Kind.FAULT && entry.kind() != ChangeLog.Kind.RECOVERY
                    || entry.at().isBefore(oldest) || entry.at().isAfter(newest)) {
                continue;
            }
            double fraction = (entry.at().toEpochMilli() - oldest.toEpochMilli()) / span;
            placed.add(new Placed(fraction, shorten(entry.text()), entry.text(),
                    "marker-" + entry.kind().name().toLowerCase(Locale.ROOT), entry.at()));
        }
        return placed;
    }

    /**
     * The few words at a marker's top: a fault's label without its id ("fault f-3: slow …" → "slow …"),
     * a GPU's change of state as the state it went to ("GPU 3 up → loading" → "GPU 3 → loading": cut at
     * twelve characters it read "GPU 3 up → …", as if the GPU had come up).
     */
    static String shorten(String text) {
        java.util.regex.Matcher state = STATE_CHANGE.matcher(text);
        if (state.matches()) {
            return state.group(1) + " → " + state.group(2);
        }
        String words = text.replaceFirst("^fault (cleared )?f-\\d+: ", (text.contains("cleared") ? "end " : ""));
        return words.length() <= SHORT_LABEL ? words : words.substring(0, SHORT_LABEL - 1) + "…";
    }

    /**
     * {@code placed} on a tile {@code width} wide, as drawn. Markers whose lines stand within
     * {@link #BURST} pixels of a group's first are one (their lines and labels were a heap); then
     * each group's label takes the first of {@link #LABEL_ROWS} rows it clears, left to right, and
     * one that clears none joins the group before it. No label covers another, every marker stays
     * in a group's tooltip, and the newest keeps a label of its own where a row has room for it
     * (joining any overlapping label to the one before took a fault half a minute after a burst
     * into the burst's label). {@code measure} gives a label's width.
     */
    static List<Group> group(List<Placed> placed, double width, ToDoubleFunction<String> measure) {
        return group(placed, width, measure, List.of());
    }

    /**
     * As {@link #group(List, double, ToDoubleFunction)}, with labels kept off the tile's own text:
     * {@code blocked.get(row)} lists the spans {@code [from, to]} of that row of labels taken by the
     * tile's figures (the axis numbers at the graph's right edge, its high and low at the left). A
     * label that would cover one moves left of it, or to the next row; the newest markers stand at the
     * right edge, so their labels were drawn over the axis numbers.
     */
    static List<Group> group(List<Placed> placed, double width, ToDoubleFunction<String> measure, List<List<double[]>> blocked) {
        double left = width * INSET, usable = width * (1 - 2 * INSET);
        List<List<Placed>> groups = new ArrayList<>();
        for (Placed p : placed.stream().sorted(Comparator.comparingDouble(Placed::fraction)).toList()) {
            if (!groups.isEmpty() && (p.fraction() - groups.getLast().getFirst().fraction()) * usable < BURST) {
                groups.getLast().add(p);
            } else {
                groups.add(new ArrayList<>(List.of(p)));
            }
        }
        int[] rows;
        double[][] labels;
        placing:
        while (true) {
            double[] rowEnds = new double[LABEL_ROWS];
            java.util.Arrays.fill(rowEnds, Double.NEGATIVE_INFINITY);
            rows = new int[groups.size()];
            labels = new double[groups.size()][];
            for (int i = 0; i < groups.size(); i++) {
                double[] wanted = labelOf(groups.get(i), left, usable, width, measure);
                rows[i] = -1;
                for (int r = 0; r < LABEL_ROWS && rows[i] < 0; r++) {
                    double x = clear(wanted[0], wanted[1], r < blocked.size() ? blocked.get(r) : List.of());
                    if (x >= 0 && x >= rowEnds[r]) {
                        rows[i] = r;
                        labels[i] = new double[] {x, wanted[1]};
                        rowEnds[r] = end(labels[i]);
                    }
                }
                if (rows[i] < 0 && i == 0) { // no room anywhere (a tiny tile): where it wants to be, over the figures
                    rows[i] = 0;
                    labels[i] = wanted;
                    rowEnds[0] = end(wanted);
                } else if (rows[i] < 0) {
                    groups.get(i - 1).addAll(groups.remove(i));
                    continue placing; // its label grew: the rows are taken again
                }
            }
            break;
        }
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            List<Placed> members = groups.get(i);
            out.add(new Group(List.copyOf(members), left + members.getFirst().fraction() * usable,
                    left + members.getLast().fraction() * usable, labels[i][0], labels[i][1], rows[i]));
        }
        return out;
    }

    /** Where a label {@code w} wide starting at or left of {@code x} covers none of {@code spans}; -1 where none is left. */
    private static double clear(double x, double w, List<double[]> spans) {
        boolean moved = true;
        while (moved && x >= 0) {
            moved = false;
            for (double[] span : spans) {
                if (x < span[1] + GAP && x + w + GAP > span[0]) {
                    x = span[0] - GAP - w;
                    moved = true;
                }
            }
        }
        return x >= 0 ? x : -1;
    }

    /** Where {@code members}' label starts (after the first's line, kept in the tile) and how wide it is. */
    private static double[] labelOf(List<Placed> members, double left, double usable, double width, ToDoubleFunction<String> measure) {
        double w = measure.applyAsDouble(label(members));
        double x = left + members.getFirst().fraction() * usable;
        return new double[] {Math.max(0, Math.min(x + 2, width - w)), w};
    }

    private static double end(double[] label) {
        return label[0] + label[1] + GAP;
    }

    private static String label(List<Placed> members) {
        if (members.size() == 1) {
            return members.getFirst().shortLabel();
        }
        // a catalogue fault and what it does to a GPU are two entries of one fault: the catalogue's own
        // entries ("fault f-3: …") are counted where there are any, the GPUs' changes where there are none
        List<Placed> named = members.stream().filter(m -> m.tooltip().startsWith("fault ")).toList();
        List<Placed> counted = named.isEmpty() ? members : named;
        long faults = counted.stream().filter(m -> m.styleClass().equals(FAULT)).count();
        long cleared = counted.size() - faults;
        String f = faults + (faults == 1 ? " fault" : " faults");
        return cleared == 0 ? f : faults == 0 ? cleared + " cleared" : f + ", " + cleared + " cleared";
    }

    /** How long {@code members} took, first to last: "a second", "35 s". */
    private static String span(List<Placed> members) {
        long ms = members.getLast().at().toEpochMilli() - members.getFirst().at().toEpochMilli();
        return ms < 1000 ? "a second" : Math.round(ms / 1000.0) + " s";
    }

    /** {@code tile} with an overlay for the markers; the overlay takes the mouse only on its markers. */
    StackPane attach(Node tile) {
        Pane overlay = new Pane();
        overlay.setPickOnBounds(false);
        overlay.getStyleClass().add("qd-spark-markers");
        overlay.getProperties().put(TILE, tile);
        overlays.add(overlay);
        overlay.widthProperty().addListener((o, a, v) -> draw(overlay));
        overlay.heightProperty().addListener((o, a, v) -> draw(overlay));
        StackPane stack = new StackPane(tile, overlay);
        stack.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        return stack;
    }

    /** Places the markers for the sparklines' current window; cheap when nothing moved a marker. */
    void update(Instant oldest, Instant newest) {
        List<Placed> next = place(entries, oldest, newest);
        if (next.equals(shown)) {
            return;
        }
        shown = next;
        overlays.forEach(this::draw);
    }

    /** What is drawn now (for tests). */
    List<Placed> shown() {
        return shown;
    }

    /** One group's nodes on one tile, kept from one draw to the next; {@code ticks} grows and shrinks with it. */
    private record Drawn(Rectangle hover, Line line, List<Line> ticks, Label label, Tooltip tip) {}

    /**
     * Places the markers on {@code overlay}, moving the nodes already there: made anew at every
     * refresh (about once a second), a marker's tooltip restarted its delay and never showed.
     */
    private void draw(Pane overlay) {
        @SuppressWarnings("unchecked")
        List<Drawn> drawn = (List<Drawn>) overlay.getProperties().computeIfAbsent(Drawn.class, k -> new ArrayList<Drawn>());
        double width = overlay.getWidth(), height = overlay.getHeight();
        if (drawn.isEmpty() && !shown.isEmpty()) {
            drawn.add(made(overlay));
        }
        List<Group> groups = List.of();
        if (!drawn.isEmpty()) { // its first label measures the others, as they are styled
            Label probe = drawn.getFirst().label();
            probe.getStyleClass().setAll("label", LABEL_CLASS);
            probe.applyCss();
            Map<String, Double> widths = new HashMap<>();
            double rowHeight = probe.prefHeight(-1) + 1;
            groups = group(shown, width, text -> widths.computeIfAbsent(text, t -> {
                probe.setText(t);
                return probe.prefWidth(-1);
            }), taken(overlay, height * TOP, rowHeight));
        }
        while (drawn.size() > groups.size()) {
            Drawn gone = drawn.removeLast();
            overlay.getChildren().removeAll(gone.hover(), gone.line(), gone.label());
            overlay.getChildren().removeAll(gone.ticks());
        }
        double top = height * TOP, bottom = height - height * INSET;
        double left = width * INSET, usable = width * (1 - 2 * INSET);
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            if (i == drawn.size()) {
                drawn.add(made(overlay));
            }
            Drawn d = drawn.get(i);
            upright(d.line(), g.x(), top, bottom, MARKER_CLASS, g.members().getFirst().styleClass());
            // each member's time stays in view: where labels had no room, a group spans many seconds
            List<Placed> others = g.members().subList(1, g.members().size());
            while (d.ticks().size() > others.size()) {
                overlay.getChildren().remove(d.ticks().removeLast());
            }
            for (int t = 0; t < others.size(); t++) {
                if (t == d.ticks().size()) {
                    Line tick = new Line();
                    tick.setMouseTransparent(true);
                    d.ticks().add(tick);
                    overlay.getChildren().add(overlay.getChildren().indexOf(d.line()), tick);
                }
                upright(d.ticks().get(t), left + others.get(t).fraction() * usable, top, bottom, TICK_CLASS,
                        others.get(t).styleClass());
            }
            // a 1-px line is hard to hover: the band around the group takes the mouse
            d.hover().setX(g.x() - 4);
            d.hover().setY(top);
            d.hover().setWidth(g.lastX() - g.x() + 8);
            d.hover().setHeight(Math.max(0, bottom - top));
            d.tip().setText(g.tooltip());
            Label label = d.label();
            label.setText(g.shortLabel());
            label.getStyleClass().setAll("label", LABEL_CLASS, g.styleClass());
            label.setVisible(width > 0 && height > 0);
            double labelHeight = label.prefHeight(-1);
            label.resizeRelocate(g.labelX(), top + g.row() * (labelHeight + 1), g.labelWidth(), labelHeight);
        }
    }

    /**
     * For each row of labels, the spans the tile's own figures take in it (TilesFX draws the sparkline's
     * axis numbers and its high and low as text of its own), in the overlay's coordinates.
     */
    private static List<List<double[]>> taken(Pane overlay, double top, double rowHeight) {
        List<javafx.geometry.Bounds> texts = new ArrayList<>();
        if (overlay.getProperties().get(TILE) instanceof Node tile) {
            collectTexts(tile, overlay, texts);
        }
        List<List<double[]>> rows = new ArrayList<>();
        for (int r = 0; r < LABEL_ROWS; r++) {
            double from = top + r * rowHeight, to = from + rowHeight;
            List<double[]> spans = new ArrayList<>();
            for (javafx.geometry.Bounds b : texts) {
                if (b.getMinY() < to && b.getMaxY() > from) {
                    spans.add(new double[] {b.getMinX(), b.getMaxX()});
                }
            }
            rows.add(spans);
        }
        return rows;
    }

    private static void collectTexts(Node node, Pane overlay, List<javafx.geometry.Bounds> out) {
        if (!node.isVisible()) {
            return;
        }
        if (node instanceof javafx.scene.text.Text text && text.getText() != null && !text.getText().isBlank()
                && !Color.TRANSPARENT.equals(text.getFill())) { // TilesFX hides an unused axis number by its colour
            out.add(overlay.sceneToLocal(text.localToScene(text.getBoundsInLocal())));
        } else if (node instanceof javafx.scene.Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) {
                collectTexts(child, overlay, out);
            }
        }
    }

    /** The overlay's key to the tile it stands over. */
    private static final String TILE = "qd-spark-tile";

    private static void upright(Line line, double x, double top, double bottom, String... styleClasses) {
        line.setStartX(x);
        line.setEndX(x);
        line.setStartY(top);
        line.setEndY(bottom);
        line.getStyleClass().setAll(styleClasses);
    }

    private static Drawn made(Pane overlay) {
        Rectangle hover = new Rectangle();
        hover.setFill(Color.TRANSPARENT);
        Line line = new Line();
        line.setMouseTransparent(true);
        Tooltip tip = new Tooltip();
        tip.setWrapText(true);
        tip.setMaxWidth(520);
        Tooltip.install(hover, tip);
        Label label = new Label();
        label.setTooltip(tip);
        overlay.getChildren().addAll(hover, line, label);
        return new Drawn(hover, line, new ArrayList<>(), label, tip);
    }
}
