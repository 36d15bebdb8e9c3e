package io.queuedeck.console.lanes;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static io.queuedeck.console.testing.Tasks.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerDark;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Lanes screen alone in a 1280 × 800 window, fed by hand-built listings, driven by the
 * robot's real clicks and keys (headless under Monocle).
 */
class LanesViewUiTest {
    private final FxRobot robot = new FxRobot();
    private final RecordingCommands commands = new RecordingCommands();
    private LanesViewModel model;
    private Stage stage;

    @BeforeEach
    void show() throws TimeoutException {
        stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet()));
        model = new LanesViewModel(commands);
        FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new LanesView(model).root(), 1280, 800)); // the scene before show(): see JAVAFX-NOTES
            // the console's own minimum stays on the shared stage after its tests, and would keep it from narrowing
            s.setMinWidth(0);
            s.setMinHeight(0);
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    private void listing(long second, List<TaskView> tasks, int p5Total) {
        commands.waiting = tasks;
        robot.interact(() -> model.apply(snapshot().policy("priority").at(T0.plusSeconds(second)).clock(second * 1_000_000_000L)
                .queued(3, (int) tasks.stream().filter(t -> t.priority() == 3).count()).queued(5, p5Total).build()));
    }

    @SuppressWarnings("unchecked")
    private ListCell<TaskRow> cell(String lane, String id) {
        return robot.lookup(lane + " .task-cell").queryAllAs(ListCell.class).stream()
                .map(c -> (ListCell<TaskRow>) c)
                .filter(c -> c.isVisible() && c.getItem() != null && c.getItem().id().equals(id))
                .findFirst().orElseThrow();
    }

    private List<String> selected(ListView<TaskRow> list) {
        return list.getSelectionModel().getSelectedItems().stream().map(TaskRow::id).toList();
    }

    @Test
    void selection_survivesFiveRefreshes_thenMovesWithAltUp() {
        List<TaskView> tasks = new ArrayList<>(List.of(waiting("a", 3, 900), waiting("b", 3, 800), waiting("c", 3, 700)));
        listing(0, tasks, 0);
        ListView<TaskRow> p3 = robot.lookup("#lane-3").queryListView();
        robot.clickOn(cell("#lane-3", "b"));
        assertThat(selected(p3)).containsExactly("b");

        for (int i = 1; i <= 5; i++) {
            // every second the waits grow and a new task arrives at the front of the lane
            List<TaskView> next = new ArrayList<>();
            next.add(waiting("new-" + i, 3, 10));
            for (TaskView t : tasks) {
                next.add(waiting(t.id(), 3, t.waitedNanos() / 1_000_000 + 1_000));
            }
            tasks = next;
            listing(i, tasks, 0);
            assertThat(p3.getItems()).extracting(TaskRow::id).hasSize(3 + i);
            assertThat(selected(p3)).as("after refresh %d", i).containsExactly("b");
        }

        robot.press(KeyCode.ALT, KeyCode.UP).release(KeyCode.UP, KeyCode.ALT);

        assertThat(commands.sent).contains("place b in 3 before a");
        assertThat(p3.getItems()).extracting(TaskRow::id).containsSubsequence("b", "a", "c");
        assertThat(selected(p3)).containsExactly("b");
    }

    @Test
    void selectingInAnotherLane_clearsTheFirstLanesSelection_soWhatIsHighlightedIsWhatDeleteCancels() {
        listing(0, List.of(waiting("a", 3, 900), waiting("b", 3, 800), waiting("f", 5, 700)), 1);
        ListView<TaskRow> p3 = robot.lookup("#lane-3").queryListView();
        ListView<TaskRow> p5 = robot.lookup("#lane-5").queryListView();
        robot.clickOn(cell("#lane-3", "a"));

        robot.clickOn(cell("#lane-5", "f"));

        assertThat(selected(p3)).isEmpty();
        assertThat(selected(p5)).containsExactly("f");
        robot.push(KeyCode.DELETE);
        robot.clickOn("#lanes-confirm-yes"); // asked first: deleteAsksFirst…
        assertThat(commands.sent).filteredOn(sent -> sent.startsWith("cancel")).containsExactly("cancel f");
    }

    /**
     * Delete cancelled the selection at once: a key pressed by mistake lost the tasks. It asks first,
     * as the other actions that cannot be taken back do: the focus on the safe answer (Space there
     * cancels nothing), Esc says no and gives the focus back to the lane; "Cancel it" cancels.
     */
    @Test
    void deleteAsksFirst_focusOnKeep_escSaysNo_confirmCancels() throws Exception {
        listing(0, List.of(waiting("a", 3, 900), waiting("b", 3, 800)), 0);
        ListView<TaskRow> p3 = robot.lookup("#lane-3").queryListView();
        robot.clickOn(cell("#lane-3", "b"));

        robot.push(KeyCode.DELETE);

        assertThat(commands.sent).noneMatch(sent -> sent.startsWith("cancel"));
        assertThat(robot.lookup("#lanes-confirm").query().isVisible()).isTrue();
        assertThat(robot.lookup("#lanes-confirm-text").queryLabeled().getText()).startsWith("Cancel task b?");
        assertThat(robot.lookup("#lanes-confirm-no").queryButton().getText()).as("one task").isEqualTo("Keep it");
        assertThat(WaitForAsyncUtils.asyncFx(() -> stage.getScene().getFocusOwner().getId()).get()).isEqualTo("lanes-confirm-no");

        robot.push(KeyCode.ESCAPE);

        assertThat(robot.lookup("#lanes-confirm").query().isVisible()).isFalse();
        assertThat(WaitForAsyncUtils.asyncFx(() -> stage.getScene().getFocusOwner()).get()).as("back on the lane").isSameAs(p3);
        assertThat(commands.sent).noneMatch(sent -> sent.startsWith("cancel"));

        robot.push(KeyCode.DELETE);
        robot.push(KeyCode.SPACE); // on the safe answer

        assertThat(robot.lookup("#lanes-confirm").query().isVisible()).isFalse();
        assertThat(commands.sent).noneMatch(sent -> sent.startsWith("cancel"));

        robot.push(KeyCode.DELETE);
        robot.clickOn("#lanes-confirm-yes");

        assertThat(commands.sent).filteredOn(sent -> sent.startsWith("cancel")).containsExactly("cancel b");
        assertThat(robot.lookup("#lanes-confirm").query().isVisible()).isFalse();
    }

    @Test
    void selectedTaskLeavingTheListing_whileOthersArrive_leavesNothingSelected_soDeleteCancelsNoOtherTask() {
        listing(0, List.of(waiting("a", 3, 900), waiting("b", 3, 800), waiting("c", 3, 700)), 0);
        ListView<TaskRow> p3 = robot.lookup("#lane-3").queryListView();
        robot.clickOn(cell("#lane-3", "c"));
        assertThat(selected(p3)).containsExactly("c");

        // c went to the back of a long lane (out of the listing) and two tasks arrived behind b
        listing(1, List.of(waiting("a", 3, 1_900), waiting("b", 3, 1_800), waiting("d", 3, 10), waiting("e", 3, 5)), 0);
        assertThat(p3.getItems()).extracting(TaskRow::id).containsExactly("a", "b", "d", "e");
        assertThat(selected(p3)).as("no task the operator did not choose").isEmpty();
        robot.push(KeyCode.DELETE);
        assertThat(commands.sent).noneMatch(sent -> sent.startsWith("cancel"));

        // back in the listing: selected again
        listing(2, List.of(waiting("c", 3, 2_700), waiting("a", 3, 2_900), waiting("b", 3, 2_800)), 0);
        assertThat(selected(p3)).containsExactly("c");
    }

    /** The first second after a restart, lanes said "empty" under headers counting 7, 77 and 113. */
    @Test
    void aLaneCountingTasksNotListedYet_saysListing_notEmpty() {
        listing(0, List.of(), 77); // the count came with the snapshot; the listing has none yet

        assertThat(robot.lookup("#lane-5-count").queryLabeled().getText()).isEqualTo("77");
        assertThat(((javafx.scene.control.Labeled) robot.lookup("#lane-5").queryListView().getPlaceholder()).getText())
                .isEqualTo("listing…");
        assertThat(((javafx.scene.control.Labeled) robot.lookup("#lane-4").queryListView().getPlaceholder()).getText())
                .isEqualTo("empty");
    }

    @Test
    void laneWithAHundredThousandTasks_countIsCompact_andItsMenuIsOnScreenAndWorks() {
        List<TaskView> tasks = new ArrayList<>();
        for (int i = 0; i < LanesViewModel.LIMIT_PER_LANE; i++) {
            tasks.add(waiting("t-" + i, 5, 100_000 - i));
        }
        listing(0, tasks, 100_000);

        assertThat(robot.lookup("#lane-5-count").queryLabeled().getText()).isEqualTo("100k");
        Node menu = robot.lookup("#lane-5-menu").query();
        assertInside(menu, menu.getParent().getParent()); // inside its lane's box
        assertInside(menu, null);
        robot.clickOn(menu);
        robot.clickOn("Pause lane (tasks stay queued)");
        assertThat(commands.sent).contains("lane 5 paused");
    }

    @Test
    void laneHeldByItsPausedTier_menuOffersToPauseTheLaneItself_andSaysTheTierHoldsIt() {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.LinkedHashMap<>();
        io.queuedeck.engine.tier.Tiers.DEFAULT.list().forEach(t -> modes.put(t, t.name().equals("normal")
                ? io.queuedeck.engine.tier.TierMode.PAUSED : io.queuedeck.engine.tier.TierMode.ACTIVE));
        robot.interact(() -> model.apply(snapshot().tierModes(modes).build()));
        WaitForAsyncUtils.waitForFxEvents();

        robot.clickOn("#lane-3-menu");
        javafx.scene.control.MenuButton menu = robot.lookup("#lane-3-menu").queryAs(javafx.scene.control.MenuButton.class);
        java.util.Map<String, javafx.scene.control.MenuItem> items = new java.util.HashMap<>();
        menu.getItems().forEach(i -> items.put(i.getId(), i));
        // it read "Resume lane" (a no-op, audited all the same) with "Pause lane" disabled
        assertThat(items.get("lane-3-active").isDisable()).isTrue();
        assertThat(items.get("lane-3-paused").isDisable()).isFalse();
        assertThat(items.get("lane-3-held").isVisible()).isTrue();
        assertThat(items.get("lane-3-held").getText()).isEqualTo("Its tier is paused: the tier bar resumes it");
        robot.clickOn("Pause lane (tasks stay queued)");
        assertThat(commands.sent).contains("lane 3 paused");
        assertThat(robot.lookup("#lane-0-menu").queryAs(javafx.scene.control.MenuButton.class).getItems().stream()
                .filter(i -> "lane-0-held".equals(i.getId())).findFirst().orElseThrow().isVisible()).isFalse();
    }

    /** After a restart the first snapshot comes before the screen is built: it showed a paused tier as active. */
    @Test
    void tierPausedBeforeTheScreenWasBuilt_showsPaused_inItsBoxAndItsLanes() throws TimeoutException {
        FxToolkit.cleanupStages();
        model = new LanesViewModel(commands);
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.LinkedHashMap<>();
        io.queuedeck.engine.tier.Tiers.DEFAULT.list().forEach(t -> modes.put(t, t.name().equals("batch")
                ? io.queuedeck.engine.tier.TierMode.PAUSED : io.queuedeck.engine.tier.TierMode.ACTIVE));
        robot.interact(() -> model.apply(snapshot().tierModes(modes).build()));
        FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new LanesView(model).root(), 1280, 800));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();

        javafx.scene.control.ComboBox<?> batch = robot.lookup("#lanes-tier-batch").queryComboBox();
        assertThat(batch.getValue()).isEqualTo(io.queuedeck.engine.tier.TierMode.PAUSED);
        assertThat(robot.lookup("#lane-8-mode").queryLabeled().getText()).isEqualTo("paused");
        assertThat(robot.lookup("#lane-8-mode").query().isVisible()).isTrue();
        assertThat(robot.lookup("#lane-3-mode").query().isVisible()).isFalse();

        robot.clickOn(batch).type(KeyCode.UP).type(KeyCode.ENTER); // ACTIVE, one above PAUSED: now a change, so a command
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(batch.getValue()).isEqualTo(io.queuedeck.engine.tier.TierMode.ACTIVE);
        assertThat(commands.sent).anyMatch(sent -> sent.startsWith("tier ") && sent.endsWith(" ACTIVE"));
    }

    @Test
    void aNoticeInTheToolbar_movesNoControl() {
        listing(0, List.of(waiting("a", 3, 900)), 0);
        WaitForAsyncUtils.waitForFxEvents();
        javafx.geometry.Bounds move = robot.lookup("#lanes-move").query().localToScene(robot.lookup("#lanes-move").query().getBoundsInLocal());
        javafx.geometry.Bounds field = robot.lookup("#lanes-search").query().localToScene(robot.lookup("#lanes-search").query().getBoundsInLocal());

        robot.clickOn("#lanes-cancel"); // nothing selected: the hint becomes a short notice
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup(".lanes-hint").queryLabeled().getText()).startsWith("Nothing selected");
        // the filter field grew by 72 px and every button moved right under the pointer
        assertThat(robot.lookup("#lanes-move").query().localToScene(robot.lookup("#lanes-move").query().getBoundsInLocal())).isEqualTo(move);
        assertThat(robot.lookup("#lanes-search").query().localToScene(robot.lookup("#lanes-search").query().getBoundsInLocal())).isEqualTo(field);

        robot.clickOn(cell("#lane-3", "a"));
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup(".lanes-hint").queryLabeled().getText()).as("stale once a task is selected")
                .doesNotStartWith("Nothing selected");
    }

    @Test
    void byPolicyLevel_showsAsManyLanesAsLevels_andTheDeadLettersStayInView() {
        robot.interact(() -> {
            model.apply(snapshot().policy("mlfq").levels(List.of(4, 3, 2, 1, 0, 0)).build());
            model.setByLevel(true);
        });
        WaitForAsyncUtils.waitForFxEvents();

        for (int p = 0; p < 10; p++) {
            // four empty lanes titled "–" were shown too, and pushed the dead letters off screen
            assertThat(robot.lookup("#lane-" + p).query().getParent().isVisible()).as("lane " + p).isEqualTo(p < 6);
        }
        assertInside(robot.lookup("#lanes-retry").query(), null);

        robot.interact(() -> model.setByLevel(false));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#lane-9").query().getParent().isVisible()).isTrue();
    }

    /**
     * Why: under mlfq with 4,000 tasks a priority, "By policy level" left L1 to L4 reading
     * "listing…" for good under their counts: the lanes list the first 1,000 of each priority, and
     * a lower level's tasks all wait behind those.
     */
    @Test
    void byPolicyLevel_aLevelWhoseTasksWaitBehindTheListedOnes_saysSo_ratherThanListingForever() {
        commands.waiting = List.of(waiting("a", 3, 900), waiting("b", 3, 800)); // level 0: the first of their priority
        robot.interact(() -> model.apply(snapshot().policy("mlfq").levels(List.of(2, 40, 0, 0, 0, 0)).queued(3, 42).build()));
        WaitForAsyncUtils.waitForFxEvents();

        robot.clickOn("#lanes-by-level");
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#lane-0").queryListView().getItems()).extracting(r -> ((TaskRow) r).id()).containsExactly("a", "b");
        assertThat(((Label) robot.lookup("#lane-1").queryListView().getPlaceholder()).getText()).isEqualTo(LanesView.NOT_LISTED_LEVEL);
        assertThat(((Label) robot.lookup("#lane-2").queryListView().getPlaceholder()).getText()).isEqualTo("empty");
    }

    @Test
    void inspector_closedWithItsCross_staysClosedThroughRefreshes() {
        listing(0, List.of(waiting("a", 3, 900)), 0);
        robot.doubleClickOn(cell("#lane-3", "a"));
        Node inspector = robot.lookup("#lanes-inspector").query();
        assertThat(inspector.isVisible()).isTrue();
        assertThat(robot.lookup("#inspector-why").queryListView().getItems()).isNotEmpty();
        double laneWidth = robot.lookup("#lane-3").query().getBoundsInLocal().getWidth();
        assertThat(laneWidth).as("lanes keep their width beside the inspector").isGreaterThanOrEqualTo(LanesView.LANE_MIN_WIDTH - 40);

        robot.clickOn("#inspector-close");
        for (int i = 1; i <= 3; i++) {
            listing(i * 2L, List.of(waiting("a", 3, 900 + i * 2_000)), 0);
        }

        assertThat(inspector.isVisible()).isFalse();
    }

    /** "llama-2-7b · 900…" lost the sizes beside the inspector: the sizes lead, the model (mostly every row's) trails. */
    @Test
    void aRowsSecondLine_startsWithItsSizes() {
        listing(0, List.of(waiting("a", 3, 900)), 0);

        javafx.scene.control.Label details = (javafx.scene.control.Label) cell("#lane-3", "a").lookup(".task-details");

        assertThat(details.getText()).isEqualTo("900→100 tok · acme · llama-2-7b");
    }

    @Test
    void inspector_showsItsCross_andEscClosesIt_withFocusOnALaneRow() {
        listing(0, List.of(waiting("a", 3, 900)), 0);
        robot.doubleClickOn(cell("#lane-3", "a"));
        Node inspector = robot.lookup("#lanes-inspector").query();
        assertThat(inspector.isVisible()).isTrue();
        List<javafx.scene.text.Text> cross = new ArrayList<>();
        texts(robot.lookup("#inspector-close").query(), cross);
        assertThat(cross).extracting(javafx.scene.text.Text::getText).as("the close button's ✕ is drawn").containsExactly("✕");

        robot.clickOn(cell("#lane-3", "a")); // focus on the lane's row, not in the inspector
        robot.push(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(inspector.isVisible()).isFalse();
    }

    private static void texts(Node node, List<javafx.scene.text.Text> out) {
        if (!node.isVisible()) {
            return;
        }
        if (node instanceof javafx.scene.text.Text text) {
            out.add(text);
        } else if (node instanceof javafx.scene.Parent parent) {
            parent.getChildrenUnmodifiable().forEach(child -> texts(child, out));
        }
    }

    /** Cut from their end, ids that share a long start all read "bulk9-000…" once waits took minutes. */
    @Test
    void longIdsOfACommonStart_cutInTheirMiddle_soRowsStayApart() {
        String prefix = "bulk9-tenant-acme-batch-000000";
        listing(0, List.of(waiting(prefix + "01", 3, 1_938_000), waiting(prefix + "02", 3, 1_937_000)), 0);

        List<String> shown = new ArrayList<>();
        for (String id : List.of(prefix + "01", prefix + "02")) {
            javafx.scene.control.Label label = (javafx.scene.control.Label) cell("#lane-3", id).lookup(".task-id");
            List<javafx.scene.text.Text> out = new ArrayList<>();
            texts(label, out);
            shown.add(out.stream().map(javafx.scene.text.Text::getText).reduce("", String::concat));
        }
        assertThat(shown).as("cut, as at 1280 px with waits of minutes").allSatisfy(text -> assertThat(text).contains("..."));
        assertThat(shown.get(0)).endsWith("01");
        assertThat(shown.get(1)).endsWith("02");
    }

    @Test
    void inspector_whyRows_showTheirWholeTextWrapped() {
        listing(0, List.of(waiting("a", 3, 900), waiting("b", 3, 800)), 0);
        robot.doubleClickOn(cell("#lane-3", "b"));
        WaitForAsyncUtils.waitForFxEvents();
        ListView<String> why = robot.lookup("#inspector-why").queryListView();
        assertThat(why.getItems()).as("a line long enough to wrap in the inspector").anyMatch(line -> line.length() > 60);

        List<ListCell<?>> rows = new ArrayList<>();
        for (ListCell<?> c : robot.lookup("#inspector-why .list-cell").queryAllAs(ListCell.class)) {
            if (c.isVisible() && c.getItem() != null) {
                rows.add(c);
            }
        }
        assertThat(rows).isNotEmpty();
        for (ListCell<?> row : rows) {
            // what is drawn: every Text under the row (a cell's own text, or a graphic's), whole and inside the row
            List<javafx.scene.text.Text> drawn = new ArrayList<>();
            texts(row, drawn);
            assertThat(drawn.stream().map(javafx.scene.text.Text::getText).reduce("", String::concat))
                    .as("row drawn whole").isEqualTo(row.getItem());
            for (javafx.scene.text.Text text : drawn) {
                assertThat(row.sceneToLocal(text.localToScene(text.getBoundsInLocal())).getMaxY())
                        .as("'%s' inside its row", row.getItem()).isLessThanOrEqualTo(row.getHeight() + 0.5);
            }
        }
    }

    @Test
    void cancelWithNothingSelected_saysSo() {
        listing(0, List.of(waiting("a", 3, 900)), 0);

        robot.clickOn("#lanes-cancel");

        assertThat(robot.lookup(".lanes-hint").queryLabeled().getText()).isEqualTo(LanesViewModel.NOTHING_SELECTED);
        assertThat(commands.sent).noneMatch(s -> s.startsWith("cancel"));
    }

    /**
     * In the lanes' room at a 1024 px window the toolbar showed a notice as "Noth…" (a drop's "dc16…"):
     * one it cuts goes to the console's notifications, once, whole.
     */
    @Test
    void aNoticeTheToolbarCuts_isSaidWhole_once() throws Exception {
        List<String> said = new java.util.ArrayList<>();
        double width = stage.getWidth();
        double height = stage.getHeight();
        FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new LanesView(model).onNoticeCut(said::add).root()));
            s.setWidth(1024 - 200); // the lanes' room in a 1024 px window; a shown stage keeps its size for a new scene
            s.setHeight(600);
        });
        try {
            WaitForAsyncUtils.waitForFxEvents();
            javafx.scene.control.Label hint = robot.lookup("#lanes-hint").queryAs(javafx.scene.control.Label.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> WaitForAsyncUtils.asyncFx(
                    () -> hint.getScene().getWidth() == 1024 - 200).get());
            listing(0, List.of(waiting("a", 3, 900)), 0);

            robot.clickOn("#lanes-cancel");
            robot.clickOn("#lanes-cancel");

            assertThat(said).containsExactly(LanesViewModel.NOTHING_SELECTED);
            // and the toolbar reads its first words whole, not "Nothi…" in the 50 px the buttons left
            assertThat(WaitForAsyncUtils.asyncFx(() -> ((javafx.scene.text.Text) hint.lookup(".text")).getText()).get())
                    .isEqualTo("Nothing selected");
        } finally { // the stage is shared with the tests after this one, which click where a 1280 x 800 window has their rows
            robot.interact(() -> {
                stage.setWidth(width);
                stage.setHeight(height);
            });
        }
    }

    /** Whole inside {@code container} (the window when null). */
    private void assertInside(Node node, Node container) {
        Bounds b = node.localToScene(node.getBoundsInLocal());
        Bounds c = container == null ? new javafx.geometry.BoundingBox(0, 0, stage.getScene().getWidth(), stage.getScene().getHeight())
                : container.localToScene(container.getBoundsInLocal());
        assertThat(b.getMinX()).as("left of " + node.getId()).isGreaterThanOrEqualTo(c.getMinX());
        assertThat(b.getMaxX()).as("right of " + node.getId()).isLessThanOrEqualTo(c.getMaxX());
        assertThat(b.getMinY()).as("top of " + node.getId()).isGreaterThanOrEqualTo(c.getMinY());
        assertThat(b.getMaxY()).as("bottom of " + node.getId()).isLessThanOrEqualTo(c.getMaxY());
    }

    @Test
    void fourTierTable_eachTierHasItsOwnColour_inTheTierBarAndOnItsLanesTitles() {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.LinkedHashMap<>();
        String[][] table = {{"urgent", "0", "0"}, {"core", "1", "2"}, {"normal", "3", "6"}, {"batch", "7", "9"}};
        for (int i = 0; i < table.length; i++) {
            modes.put(new io.queuedeck.engine.tier.Tier(table[i][0], i, Integer.parseInt(table[i][1]),
                    Integer.parseInt(table[i][2])), io.queuedeck.engine.tier.TierMode.ACTIVE);
        }
        javafx.scene.paint.Paint defaultCore = titleFill(0);
        assertThat(titleFill(2)).isEqualTo(defaultCore); // P0-2 are core's until the engine says otherwise

        robot.interact(() -> model.apply(snapshot().tierModes(modes).build()));
        WaitForAsyncUtils.waitForFxEvents();

        // urgent (P0), core (P1-2), normal (P3-6), batch (P7-9): four colours, as their tier-bar labels
        List<javafx.scene.paint.Paint> fills = List.of(titleFill(0), titleFill(1), titleFill(3), titleFill(7));
        assertThat(fills).doesNotHaveDuplicates();
        assertThat(titleFill(2)).isEqualTo(titleFill(1));
        assertThat(titleFill(6)).isEqualTo(titleFill(3));
        assertThat(titleFill(9)).isEqualTo(titleFill(7));
        for (int i = 0; i < table.length; i++) {
            javafx.scene.control.Label label = robot.lookup("#lanes-tier-" + table[i][0]).queryAs(Node.class).getParent()
                    .lookup(".tier-label") instanceof javafx.scene.control.Label l ? l : null;
            assertThat(label).isNotNull();
            assertThat(label.getText()).isEqualTo(table[i][0]);
            assertThat(label.getTextFill()).as(table[i][0]).isEqualTo(fills.get(i));
        }
    }

    /**
     * The Lanes screen as wide as the console gives it in a 1280 × 800 and a 1600 × 1000 window
     * (the window less the navigation, 200 px), with four tiers, one of them draining (the widest
     * mode): the "Tiers" caption and every tier's name read whole, and every mode box is inside.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {1080, 1400})
    void fourTierTable_atTheWidthsOfTheWindow_theTiersCaptionAndNamesReadWhole(double width) {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.LinkedHashMap<>();
        String[][] table = {{"urgent", "0", "0"}, {"core", "1", "2"}, {"normal", "3", "6"}, {"batch", "7", "9"}};
        for (int i = 0; i < table.length; i++) {
            modes.put(new io.queuedeck.engine.tier.Tier(table[i][0], i, Integer.parseInt(table[i][1]),
                    Integer.parseInt(table[i][2])), i == 2 ? io.queuedeck.engine.tier.TierMode.DRAINING : io.queuedeck.engine.tier.TierMode.ACTIVE);
        }
        robot.interact(() -> {
            stage.setWidth(width);
            model.apply(snapshot().tierModes(modes).build());
        });
        WaitForAsyncUtils.waitForFxEvents();

        // the new width is laid out on a later pulse, which a loaded machine can delay: awaited, not read at once
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            javafx.scene.control.Label caption = robot.lookup("#lanes-tiers-caption").queryAs(javafx.scene.control.Label.class);
            List<javafx.scene.control.Label> labels = new java.util.ArrayList<>(List.of(caption));
            for (String[] tier : table) {
                labels.add((javafx.scene.control.Label) robot.lookup("#lanes-tier-" + tier[0]).queryAs(Node.class).getParent().lookup(".tier-label"));
            }
            double sceneWidth = stage.getScene().getWidth();
            for (javafx.scene.control.Label label : labels) {
                assertThat(label.getWidth() + 0.5).as("'%s' at %.0f px is cut", label.getText(), width).isGreaterThanOrEqualTo(label.prefWidth(-1));
                assertThat(label.localToScene(label.getLayoutBounds()).getMaxX()).as("'%s' inside", label.getText()).isLessThanOrEqualTo(sceneWidth);
            }
            for (String[] tier : table) {
                Node box = robot.lookup("#lanes-tier-" + tier[0]).query();
                assertThat(box.localToScene(box.getLayoutBounds()).getMaxX()).as(tier[0] + "'s mode box inside").isLessThanOrEqualTo(sceneWidth);
            }
        });
    }

    /**
     * The hint above the lanes reads whole at the Lanes screen's width in a 1280 px window (the
     * window less the navigation): there it read "Drag onto a lane or a row · Alt+↑/↓ mov…". Where
     * the whole hint fits (a wider window) it shows whole; its tooltip always has all of it. In a
     * 1024 px window even the short form read "Drag …": there it says only where the rest is.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"824, F1 help", "1032, Drag onto a lane or a row · F1 help",
            "1700, Alt+↑/↓ moves within a lane"})
    void hint_atTheWidthsOfTheWindow_readsWhole(double width, String part) {
        double x = stage.getX();
        double before = stage.getWidth();
        robot.interact(() -> {
            stage.setX(0); // on Monocle's 1920 px screen however wide: a window past its edge fails to paint
            stage.setWidth(width);
        });
        WaitForAsyncUtils.waitForFxEvents();
        try {
            javafx.scene.control.Label hint = robot.lookup("#lanes-hint").queryAs(javafx.scene.control.Label.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(hint.getText()).contains(part);
                javafx.scene.text.Text shown = (javafx.scene.text.Text) hint.lookup(".text");
                assertThat(shown.getText()).as("the hint as drawn").isEqualTo(hint.getText());
                // the tier bar's hint beside the mode boxes read "paused: tasks stay queued · dra…" in a 1024 px window
                javafx.scene.control.Label tierHint = robot.lookup("#lanes-tier-hint").queryAs(javafx.scene.control.Label.class);
                javafx.scene.text.Text tierShown = (javafx.scene.text.Text) tierHint.lookup(".text");
                assertThat(tierShown.getText()).as("the tier hint as drawn").isEqualTo(tierHint.getText()).contains("paused", "draining");
                assertThat(tierHint.localToScene(tierHint.getLayoutBounds()).getMaxX()).isLessThanOrEqualTo(width);
            });
            assertThat(hint.getTooltip().getText()).contains("Alt+↑/↓ moves within a lane");
        } finally { // the primary stage is shared with the test classes after this one
            robot.interact(() -> {
                stage.setWidth(before);
                stage.setX(x);
            });
        }
    }

    /** The colour lane P{@code priority}'s title is drawn in (after CSS). */
    private javafx.scene.paint.Paint titleFill(int priority) {
        return robot.lookup(".lane-title").queryAllAs(javafx.scene.control.Label.class).stream()
                .filter(l -> l.getText().equals("P" + priority)).findFirst().orElseThrow().getTextFill();
    }
}
