package io.queuedeck.console.lanes;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static io.queuedeck.console.testing.Tasks.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.console.testing.RecordingCommands;
import java.util.List;
import org.junit.jupiter.api.Test;

class LanesViewModelTest {
    private final RecordingCommands commands = new RecordingCommands();
    private final LanesViewModel model = new LanesViewModel(commands);

    private List<String> lane(int priority) {
        return model.lanes().get(priority).tasks().stream().map(TaskRow::id).toList();
    }

    @Test
    void apply_firstSnapshot_listsWaitingTasksIntoTheirLanesInTheEnginesOrder() {
        commands.waiting = List.of(waiting("a", 1, 100), waiting("c", 1, 900), waiting("b", 5, 50));

        model.apply(snapshot().queued(1, 2).queued(5, 1).build());

        assertThat(commands.sent).containsExactly("waiting " + LanesViewModel.LIMIT_PER_LANE, "dead " + LanesViewModel.LIMIT_PER_LANE);
        assertThat(lane(1)).containsExactly("a", "c"); // dispatch order, whatever the waits say
        assertThat(lane(5)).containsExactly("b");
        assertThat(model.lanes().get(1).totalProperty().get()).isEqualTo(2);
    }

    @Test
    void apply_withinOneSecond_noSecondListing() {
        model.apply(snapshot().at(T0).build());
        model.apply(snapshot().at(T0.plusMillis(500)).build());
        model.apply(snapshot().at(T0.plusMillis(1000)).build());

        assertThat(commands.sent).filteredOn(c -> c.startsWith("waiting")).hasSize(2);
    }

    @Test
    void move_rowJumpsLanesAtOnceAndEngineIsAsked() {
        commands.waiting = List.of(waiting("a", 5, 100), waiting("b", 5, 300), waiting("c", 2, 200));
        model.apply(snapshot().build());

        model.move(List.of("a", "b"), 2);

        assertThat(commands.sent).contains("move a to 2", "move b to 2");
        assertThat(lane(5)).isEmpty();
        assertThat(lane(2)).containsExactly("b", "c", "a");
        // the move marks the listing stale: the very next snapshot asks again
        model.apply(snapshot().at(T0.plusMillis(100)).build());
        assertThat(commands.sent).filteredOn(s -> s.startsWith("waiting")).hasSize(2);
    }

    @Test
    void filter_matchesIdModelTenantOrState() {
        commands.waiting = List.of(waiting("alpha", 3, 1), waiting("beta", 3, 2));
        model.apply(snapshot().build());

        model.filterProperty().set("ALP");
        assertThat(lane(3)).containsExactly("alpha");

        model.filterProperty().set("acme");
        assertThat(lane(3)).containsExactly("alpha", "beta");
    }

    @Test
    void cancel_rowsLeaveAndEngineIsAsked() {
        commands.waiting = List.of(waiting("a", 4, 1), waiting("b", 4, 2));
        model.apply(snapshot().build());

        model.cancel(List.of("a"));

        assertThat(lane(4)).containsExactly("b");
        assertThat(commands.sent).contains("cancel a");
        assertThat(model.noticeProperty().get()).as("Delete took the row without a word").isEqualTo("Cancelled a");
    }

    @Test
    void apply_whileHidden_totalsOnlyThenListsWhenShown() {
        model.setActive(false);
        model.apply(snapshot().queued(3, 7).build());

        assertThat(commands.sent).isEmpty();
        assertThat(model.lanes().get(3).totalProperty().get()).isEqualTo(7);

        model.setActive(true);
        model.apply(snapshot().at(T0.plusMillis(100)).build());
        assertThat(commands.sent).filteredOn(c -> c.startsWith("waiting")).hasSize(1);
    }

    @Test
    void inspect_knownTask_detailsWithTimeline() {
        commands.waiting = List.of(waiting("a", 4, 1500));

        model.inspect("a");

        assertThat(model.inspectedProperty().get()).satisfies(d -> {
            assertThat(d.id()).isEqualTo("a");
            assertThat(d.priority()).isEqualTo(4);
            assertThat(d.waitMs()).isEqualTo(1500);
            assertThat(d.e2eMs()).isNaN();
        });

        model.inspect("gone");
        assertThat(model.inspectedProperty().get()).isNull();
        assertThat(model.noticeProperty().get()).contains("No task with id 'gone'");
    }

    @Test
    void inspect_theStartOfAnId_opensTheOnlyTaskItStarts_orSaysToTypeMore() {
        commands.waiting = List.of(waiting("234369ea-1111", 3, 10), waiting("99aa-1", 3, 10), waiting("99aa-2", 3, 10));

        model.inspect("234369ea"); // it said "No task with id '234369ea'" of a queued task

        assertThat(model.inspectedProperty().get()).isNotNull().satisfies(d -> assertThat(d.id()).isEqualTo("234369ea-1111"));

        model.inspect("99aa");

        assertThat(model.inspectedProperty().get()).isNull();
        assertThat(model.noticeProperty().get()).isEqualTo("2 tasks have ids starting with '99aa': type more of the id");
    }

    @Test
    void inspect_underScoringPolicy_showsFactorBreakdown() {
        commands.waiting = List.of(waiting("a", 4, 10));
        commands.score = new io.queuedeck.engine.policy.ScoreBreakdown(0.7, List.of(
                new io.queuedeck.engine.policy.ScoreBreakdown.Factor("priority", 0.6, 1.0, 0.6),
                new io.queuedeck.engine.policy.ScoreBreakdown.Factor("age", 0.1, 1.0, 0.1)));

        model.inspect("a");

        assertThat(model.inspectedProperty().get().score()).containsExactly(
                "priority   0.600 × 1.00 = 0.600", "age        0.100 × 1.00 = 0.100", "score      0.700 (higher runs first)");
    }

    @Test
    void setByLevel_mlfq_lanesFollowLevelsAndDropsDoNothing() {
        commands.waiting = List.of(waiting("b", 1, 20), waiting("a", 5, 10)); // the engine lists P0 first
        model.apply(snapshot().queued(5, 1).queued(1, 1).levels(List.of(2, 0, 0)).build());

        model.setByLevel(true);

        // both hand-built tasks sit at level 0
        assertThat(lane(0)).containsExactly("b", "a");
        assertThat(model.lanes().get(0).titleProperty().get()).startsWith("L0");
        assertThat(model.lanes().get(0).totalProperty().get()).isEqualTo(2);
        model.drop(List.of("a"), 3);
        assertThat(commands.sent).noneMatch(s -> s.startsWith("move"));

        model.setByLevel(false);
        assertThat(lane(5)).containsExactly("a");
        assertThat(model.lanes().get(5).titleProperty().get()).isEqualTo("P5 · normal");
    }

    @Test
    void tierModes_fromSnapshot_lanesOfThatTierShowTheMode() {
        model.apply(snapshot().tierMode(io.queuedeck.engine.tier.Tier.NORMAL, io.queuedeck.engine.tier.TierMode.PAUSED).build());

        assertThat(model.lanes().get(3).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.PAUSED);
        assertThat(model.lanes().get(6).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.PAUSED);
        assertThat(model.lanes().get(2).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.ACTIVE);

        model.setTierMode(io.queuedeck.engine.tier.Tier.BATCH, io.queuedeck.engine.tier.TierMode.DRAINING);
        assertThat(commands.sent).contains("tier batch DRAINING");
    }

    @Test
    void tierModes_ofATableOfTheEnginesOwn_followItsBands() {
        io.queuedeck.engine.tier.Tier fast = new io.queuedeck.engine.tier.Tier("fast", 0, 0, 4);
        io.queuedeck.engine.tier.Tier slow = new io.queuedeck.engine.tier.Tier("slow", 1, 5, 9);
        model.apply(snapshot().tierModes(java.util.Map.of(fast, io.queuedeck.engine.tier.TierMode.PAUSED,
                slow, io.queuedeck.engine.tier.TierMode.ACTIVE)).build());

        assertThat(model.lanes().get(4).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.PAUSED);
        assertThat(model.lanes().get(5).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.ACTIVE);
        assertThat(WhyHere.tierOf(model.tierModesProperty().get(), 3)).isEqualTo(fast);
    }

    @Test
    void laneTitles_ofAFourTierTable_nameItsTiers_alsoAfterTheLevelView() {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.HashMap<>();
        String[][] table = {{"urgent", "0", "0"}, {"core", "1", "2"}, {"normal", "3", "6"}, {"bulk", "7", "9"}};
        for (int i = 0; i < table.length; i++) {
            modes.put(new io.queuedeck.engine.tier.Tier(table[i][0], i, Integer.parseInt(table[i][1]),
                    Integer.parseInt(table[i][2])), io.queuedeck.engine.tier.TierMode.ACTIVE);
        }
        assertThat(model.lanes().get(0).titleProperty().get()).isEqualTo("P0 · core"); // the default table until a snapshot

        model.apply(snapshot().tierModes(modes).levels(List.of(1, 0, 0)).build());

        assertThat(model.lanes().get(0).titleProperty().get()).isEqualTo("P0 · urgent");
        assertThat(model.lanes().get(1).titleProperty().get()).isEqualTo("P1 · core");
        assertThat(model.lanes().get(9).titleProperty().get()).isEqualTo("P9 · bulk");
        model.setByLevel(true);
        model.setByLevel(false);
        assertThat(model.lanes().get(0).titleProperty().get()).isEqualTo("P0 · urgent");
    }

    private void listed(String policy, io.queuedeck.engine.task.TaskView... tasks) {
        commands.waiting = List.of(tasks);
        model.apply(snapshot().policy(policy).build());
        commands.sent.clear();
    }

    @Test
    void dropOnARow_underPriority_placesTheTasksJustAboveIt_atOnceAndInTheEngine() {
        listed("priority", waiting("a", 4, 9), waiting("b", 4, 8), waiting("c", 4, 7), waiting("x", 6, 5));

        model.drop(List.of("x", "c"), 4, "b");

        assertThat(commands.sent).containsExactly("place x in 4 before b", "place c in 4 before b");
        assertThat(lane(4)).containsExactly("a", "x", "c", "b");
        assertThat(lane(6)).isEmpty();
    }

    /**
     * The anchor b was dispatched while x and c were dragged onto it: every place before it was
     * refused and the whole move was lost. They go just above the next listed task that still
     * waits (d, where b stood), and the operator is told; nothing is reported as refused.
     */
    @Test
    void dropOnARow_whoseTaskWasDispatchedDuringTheDrag_landsAtTheNextPlaceStillQueued() {
        listed("priority", waiting("a", 4, 9), waiting("b", 4, 8), waiting("c", 4, 7), waiting("d", 4, 6), waiting("x", 6, 5));
        List<io.queuedeck.console.gateway.CommandFailure> refusals = new java.util.ArrayList<>();
        model.onRefused(refusals::add);
        commands.refuse = words -> words.endsWith("before b")
                ? new io.queuedeck.engine.task.InvalidTaskException("before", "task 'b' is not waiting in the priority 4 lane") : null;

        model.drop(List.of("x", "c"), 4, "b");

        assertThat(commands.sent).containsExactly("place x in 4 before b", "place c in 4 before b",
                "place x in 4 before d", "place c in 4 before d");
        assertThat(refusals).isEmpty();
        assertThat(model.noticeProperty().get()).isEqualTo("b left P4 during the drag: the tasks went just above d, where it stood");
    }

    /** Everything listed from the anchor on has left: where it stood is now the lane's front. */
    @Test
    void dropOnARow_whoseTaskAndEveryTaskAfterItLeft_goesToTheFrontInOrder() {
        listed("priority", waiting("a", 4, 9), waiting("b", 4, 8), waiting("x", 6, 5), waiting("y", 6, 4));
        commands.refuse = words -> words.contains(" before ")
                ? new io.queuedeck.engine.task.InvalidTaskException("before", "no task 'b'") : null;

        model.drop(List.of("x", "y"), 4, "b");

        assertThat(commands.sent).containsExactly("place x in 4 before b", "place y in 4 before b",
                "place y in 4 front", "place x in 4 front");
        assertThat(model.noticeProperty().get()).isEqualTo("b and the tasks after it left P4 during the drag: 2 tasks went to the front of the lane");
    }

    /** A dragged task that was itself dispatched is refused alone, with the engine's reason; the others move. */
    @Test
    void dropOnARow_aDraggedTaskDispatchedMeanwhile_isRefusedAlone() {
        listed("priority", waiting("a", 4, 9), waiting("b", 4, 8), waiting("x", 6, 5), waiting("y", 6, 4));
        List<io.queuedeck.console.gateway.CommandFailure> refusals = new java.util.ArrayList<>();
        model.onRefused(refusals::add);
        commands.refuse = words -> words.startsWith("place x")
                ? new io.queuedeck.engine.task.TaskConflictException("task 'x' is RUNNING; only a waiting task can be moved within a lane")
                : null;

        model.drop(List.of("x", "y"), 4, "b");

        assertThat(commands.sent).containsExactly("place x in 4 before b", "place y in 4 before b");
        assertThat(refusals).extracting(io.queuedeck.console.gateway.CommandFailure::reason)
                .containsExactly("Move task x within lane P4: task 'x' is RUNNING; only a waiting task can be moved within a lane");
    }

    @Test
    void dropOnARowOfAnotherLane_underAScoringPolicy_onlyChangesPriority() {
        listed("weighted", waiting("a", 4, 9), waiting("x", 6, 5));

        model.drop(List.of("x"), 4, "a");

        assertThat(commands.sent).containsExactly("move x to 4");
        assertThat(lane(4)).contains("x");
    }

    /** The toolbar's hint alone was cut at 1280 px: the refusal goes where engine refusals go, a notification. */
    @Test
    void dropWithinALane_underAScoringPolicy_tellsTheOperatorWhy_andSendsNothing() {
        List<io.queuedeck.console.gateway.CommandFailure> refused = new java.util.ArrayList<>();
        model.onRefused(refused::add);
        listed("aging", waiting("a", 4, 9), waiting("b", 4, 8));

        model.drop(List.of("b"), 4, "a");
        model.shift(List.of("b"), LanesViewModel.Shift.UP);

        assertThat(commands.sent).isEmpty();
        assertThat(model.noticeProperty().get()).contains("aging policy orders each lane itself");
        assertThat(refused).hasSize(2).allSatisfy(f -> assertThat(f.reason()).contains("aging policy orders each lane itself"));
        assertThat(model.laneOrderKeptProperty().get()).isFalse();
    }

    @Test
    void shift_movesTheSelectionWithinItsLane_keepingItsOrder() {
        listed("fifo", waiting("a", 3, 9), waiting("b", 3, 8), waiting("c", 3, 7), waiting("d", 3, 6));

        model.shift(List.of("c", "b"), LanesViewModel.Shift.UP);
        assertThat(lane(3)).containsExactly("b", "c", "a", "d");
        assertThat(commands.sent).containsExactly("place b in 3 before a", "place c in 3 before a");

        commands.sent.clear();
        model.shift(List.of("b", "c"), LanesViewModel.Shift.DOWN);
        assertThat(lane(3)).containsExactly("a", "b", "c", "d");
        assertThat(commands.sent).containsExactly("place c in 3 after a", "place b in 3 after a");

        commands.sent.clear();
        model.shift(List.of("c", "d"), LanesViewModel.Shift.FRONT);
        assertThat(lane(3)).containsExactly("c", "d", "a", "b");
        assertThat(commands.sent).containsExactly("place d in 3 front", "place c in 3 front");

        commands.sent.clear();
        model.shift(List.of("c"), LanesViewModel.Shift.BACK);
        assertThat(lane(3)).containsExactly("d", "a", "b", "c");
        assertThat(commands.sent).containsExactly("place c in 3 back");

        commands.sent.clear();
        model.shift(List.of("d"), LanesViewModel.Shift.UP); // already first: nothing to do
        assertThat(commands.sent).isEmpty();
    }

    @Test
    void shift_acrossTwoLanes_isRefusedWithANotice() {
        listed("priority", waiting("a", 3, 9), waiting("b", 5, 8));

        model.shift(List.of("a", "b"), LanesViewModel.Shift.UP);

        assertThat(commands.sent).isEmpty();
        assertThat(model.noticeProperty().get()).contains("one lane");
    }

    @Test
    void laneModes_aLanesOwnModeShows_andTheOperatorCanSetIt() {
        model.apply(snapshot().laneMode(2, io.queuedeck.engine.tier.TierMode.PAUSED).build());

        assertThat(model.lanes().get(2).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.PAUSED);
        assertThat(model.lanes().get(1).modeProperty().get()).isEqualTo(io.queuedeck.engine.tier.TierMode.ACTIVE);
        assertThat(model.laneMode(2)).isEqualTo(io.queuedeck.engine.tier.TierMode.PAUSED);

        model.setLaneMode(7, io.queuedeck.engine.tier.TierMode.DRAINING);
        assertThat(commands.sent).contains("lane 7 draining");
    }

    @Test
    void deadLetters_areListed_andRetryingSendsEachAndTakesThemOff() {
        commands.dead = List.of(io.queuedeck.console.testing.Tasks.deadLettered("d1", 2),
                io.queuedeck.console.testing.Tasks.deadLettered("d2", 8));
        model.apply(snapshot().build());
        assertThat(model.deadLetters()).extracting(TaskRow::id).containsExactly("d1", "d2");

        model.retry(List.of("d1", "d2"));

        assertThat(commands.sent).contains("retry d1", "retry d2");
        assertThat(model.deadLetters()).isEmpty();
        assertThat(model.noticeProperty().get()).isEqualTo("Retried 2: queued again");
    }

    @Test
    void deadLetters_newOnesAreAddedInPlace_andGoneOnesRemoved() {
        commands.dead = List.of(io.queuedeck.console.testing.Tasks.deadLettered("d1", 2),
                io.queuedeck.console.testing.Tasks.deadLettered("d2", 8));
        model.apply(snapshot().build());
        model.deadLetters().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> {
            while (c.next()) {
                assertThat(c.wasReplaced()).as("no wholesale replacement").isFalse();
            }
        });

        commands.dead = List.of(io.queuedeck.console.testing.Tasks.deadLettered("d2", 8),
                io.queuedeck.console.testing.Tasks.deadLettered("d3", 1));
        model.apply(snapshot().counters(0, 0, 0, 3).at(T0.plusSeconds(2)).build());

        assertThat(model.deadLetters()).extracting(TaskRow::id).containsExactly("d2", "d3");
    }

    @Test
    void deadLetters_isOneList_soAListenerOnItLivesAsLongAsTheModel() throws Exception {
        // each call wrapped the list anew: the Lanes header's count listener was collected with its wrapper
        List<Integer> heard = new java.util.ArrayList<>();
        model.deadLetters().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> heard.add(c.getList().size()));
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        commands.dead = List.of(io.queuedeck.console.testing.Tasks.deadLettered("d1", 2));
        model.apply(snapshot().build());

        assertThat(model.deadLetters()).isSameAs(model.deadLetters());
        assertThat(heard).contains(1);
    }

    @Test
    void listing_againWithLongerWaits_keepsEveryRowObject_soSelectionsSurvive() {
        commands.waiting = List.of(waiting("a", 3, 100), waiting("b", 3, 200));
        model.apply(snapshot().at(T0).clock(1_000_000_000L).build());
        List<TaskRow> first = List.copyOf(model.lanes().get(3).tasks());
        List<String> changes = new java.util.ArrayList<>();
        model.lanes().get(3).tasks().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> {
            while (c.next()) {
                changes.add(c.toString());
            }
        });

        // a second later both have waited a second longer, and c arrived
        commands.waiting = List.of(waiting("a", 3, 1_100), waiting("b", 3, 1_200), waiting("c", 3, 5));
        model.apply(snapshot().at(T0.plusSeconds(1)).clock(2_000_000_000L).build());

        assertThat(lane(3)).containsExactly("a", "b", "c");
        assertThat(model.lanes().get(3).tasks().get(0)).isSameAs(first.get(0));
        assertThat(model.lanes().get(3).tasks().get(1)).isSameAs(first.get(1));
        assertThat(changes).hasSize(1).allMatch(c -> c.contains("added"));
        // the wait shown counts on with the clock: 1.1 s at the second listing's clock
        assertThat(model.lanes().get(3).tasks().get(0).waitedMs(model.clockNanosProperty().get())).isEqualTo(1_100);
    }

    @Test
    void actions_withNothingSelected_sayWhatToDo_andSendNothing() {
        model.apply(snapshot().build());
        commands.sent.clear();

        model.cancel(List.of());
        assertThat(model.noticeProperty().get()).isEqualTo(LanesViewModel.NOTHING_SELECTED);
        model.tell("");
        model.move(List.of(), 3);
        assertThat(model.noticeProperty().get()).isEqualTo(LanesViewModel.NOTHING_SELECTED);
        model.tell("");
        model.shift(List.of(), LanesViewModel.Shift.UP);
        assertThat(model.noticeProperty().get()).isEqualTo(LanesViewModel.NOTHING_SELECTED);
        assertThat(commands.sent).isEmpty();
    }

    @Test
    void inspectorClosed_staysClosedThroughRefreshes() {
        commands.waiting = List.of(waiting("a", 4, 10));
        model.inspect("a");
        assertThat(model.inspectedProperty().get()).isNotNull();

        model.inspector().close();
        model.apply(snapshot().at(T0.plusSeconds(2)).build());
        model.apply(snapshot().at(T0.plusSeconds(4)).build());

        assertThat(model.inspectedProperty().get()).isNull();
        assertThat(commands.sent).filteredOn(s -> s.startsWith("task ")).hasSize(1);
    }

    @Test
    void inspectorActions_applyToTheShownTask() {
        commands.waiting = List.of(waiting("a", 4, 10), waiting("b", 4, 5));
        model.apply(snapshot().build());
        model.inspect("a");

        model.inspector().reprioritize(1);
        model.inspector().cancel();

        assertThat(commands.sent).contains("move a to 1", "cancel a");
        assertThat(commands.sent).noneMatch(s -> s.contains(" b"));
    }

    @Test
    void whyHere_underPriority_countsWhatIsAheadAndNamesAPausedLane() {
        commands.waiting = List.of(waiting("h", 1, 50), waiting("x", 4, 30), waiting("y", 4, 20), waiting("z", 4, 10));
        model.apply(snapshot().policy("priority").queued(1, 7).queued(4, 3).laneMode(4, io.queuedeck.engine.tier.TierMode.PAUSED).build());

        model.inspect("z");

        assertThat(model.inspectedProperty().get().why()).containsSubsequence(
                "Place in lane P4: 3rd of 3 (its dispatch order)",
                "Ahead of it in P4: x (waited 30ms), y (waited 20ms)",
                "The priority policy serves P0 first: 7 tasks in P0–P3 go before it.",
                "Position in dispatch order: 10th",
                "Lane P4 is paused: nothing leaves it until it is resumed (the lane's ⋮ menu).");
    }

    /** Why: a task the policy had given up on as late was explained as "1st of 2, nothing ahead" while newer tasks ran. */
    @Test
    void whyHere_saysWhenThePolicyHasGivenUpOnATaskAsLate() {
        commands.waiting = List.of(waiting("fresh", 5, 1_000), io.queuedeck.console.testing.Tasks.givenUp("late", 4, 21_000));
        model.apply(snapshot().policy("priority").queued(4, 1).queued(5, 1).build());

        model.inspect("late");

        assertThat(model.inspectedProperty().get().why()).contains("Given up on as late: it waited past its class's objective"
                + " (the policy's give_up_seconds), so the priority policy serves it after every task, in any lane, that can"
                + " still meet its own. Moved to another lane or placed in its own, it is served as the move says.");
        assertThat(model.inspectedProperty().get().why()).noneMatch(line -> line.startsWith("Position in dispatch order"));
        model.inspect("fresh");
        assertThat(model.inspectedProperty().get().why()).noneMatch(line -> line.startsWith("Given up"));
    }

    @Test
    void whyHere_statesTheTenantsShareAgainstItsFairShare_andTheDeadline_underEveryPolicy() {
        io.queuedeck.engine.task.TaskSpec spec = new io.queuedeck.engine.task.TaskSpec("d", "llama-2-7b", "", 4, null, "acme", null,
                T0.plusSeconds(90), 100, 900, null);
        io.queuedeck.engine.task.TaskView withDeadline = new io.queuedeck.engine.task.TaskView("d", spec,
                io.queuedeck.engine.task.TaskState.QUEUED, 4, 0, -1, 0, 0, -1, -1, -1, 0, 0, 100, 0, 0, null, null, List.of());
        commands.waiting = List.of(withDeadline, waiting("late", 4, 10));
        var flow = new io.queuedeck.engine.snapshot.FlowStats(true, 8, List.of(), List.of(
                new io.queuedeck.engine.snapshot.FlowStats.TenantFlow(io.queuedeck.engine.tier.Tier.NORMAL, "acme", 1, 3, 10, 0, 0, 0, 0),
                new io.queuedeck.engine.snapshot.FlowStats.TenantFlow(io.queuedeck.engine.tier.Tier.NORMAL, "beta", 3, 5, 90, 0, 0, 0, 0)));
        for (String policy : List.of("fifo", "priority", "mlfq", "aging", "weighted", "edf", "fair", "sjf")) {
            model.apply(snapshot().at(T0.plusSeconds(30)).policy(policy).queued(4, 2).flow(flow).build());
            model.inspect("d");

            assertThat(model.inspectedProperty().get().why()).as(policy).contains(
                    "Tenant acme in the normal tier: 10% of its dispatches since start against a fair share of 25% "
                            + "(weight 1 of 4 among tenants with work there); below its share.",
                    "Deadline in 1m00s (2026-01-01T00:01:30Z); past it, a waiting task leaves as timed out.");
        }
        model.apply(snapshot().at(T0.plusSeconds(100)).flow(flow).build());
        model.inspect("d");
        assertThat(model.inspectedProperty().get().why()).contains("Deadline passed 10s ago (2026-01-01T00:01:30Z).");
        model.inspect("late");
        assertThat(model.inspectedProperty().get().why())
                .contains("No deadline: nothing times it out but its tier's queue_ttl, if the tier has one.");
    }

    /** Why: a task at the head of its lane whose only backend was down or draining was explained by its place alone. */
    @Test
    void whyHere_saysWhenNoInstanceOfItsModelTakesWork_namingEachState() {
        commands.waiting = List.of(waiting("h", 4, 50));
        var down = new io.queuedeck.engine.exec.InstanceStatus(0, "llama-2-7b", io.queuedeck.engine.exec.InstanceState.DOWN, 0, 32, 0, 0, 1.0);
        var draining = new io.queuedeck.engine.exec.InstanceStatus(1, "llama-2-7b", io.queuedeck.engine.exec.InstanceState.UP, 0, 32, 0, 0, 1.0, true, null);
        model.apply(snapshot().policy("priority").queued(4, 1).instances(down, draining).build());

        model.inspect("h");

        assertThat(model.inspectedProperty().get().why()).contains("No instance serving llama-2-7b takes work now"
                + " (GPU 0 down, GPU 1 draining): it waits for one to come back (GPUs screen).");
        model.apply(snapshot().policy("priority").queued(4, 1).instances(gpu(0, io.queuedeck.engine.exec.InstanceState.UP, 0)).build());
        model.inspect("h");
        assertThat(model.inspectedProperty().get().why()).noneMatch(line -> line.startsWith("No instance"));
    }

    /** Why: a task running on a backend read "instance GPU 0", where the GPUs screen shows backends. */
    @Test
    void inspector_namesTheInstanceAsTheGpusScreenDoes_aBackendWithItsUrl() {
        var backend = new io.queuedeck.engine.exec.InstanceStatus(0, "m", io.queuedeck.engine.exec.InstanceState.UP, 1, 4, 0, 0, 1.0,
                false, new io.queuedeck.engine.exec.BackendLoad("http://gpu1:8000", 1, 4, 1, null, null, null, null, null));
        io.queuedeck.engine.task.TaskView running = new io.queuedeck.engine.task.TaskView("r",
                new io.queuedeck.engine.task.TaskSpec("r", "m", "", 4, null, null, null, null, 100, 900, null),
                io.queuedeck.engine.task.TaskState.RUNNING, 4, 0, 0, 0, 0, -1, -1, -1, 0, 0, 100, 1, 0, null, null, List.of());
        commands.waiting = List.of(running); // what FindTask answers from
        model.apply(snapshot().policy("priority").instances(backend).build());

        model.inspect("r");

        assertThat(model.inspectedProperty().get().instanceName()).isEqualTo("backend 0 (http://gpu1:8000)");
        assertThat(model.inspectedProperty().get().why()).containsExactly("Running on backend 0 (http://gpu1:8000): it waits for nothing.");
    }

    @Test
    void compactCounts_fitALaneHeader() {
        assertThat(LaneColumn.compact(999)).isEqualTo("999");
        assertThat(LaneColumn.compact(2_879)).isEqualTo("2.9k");
        assertThat(LaneColumn.compact(100_000)).isEqualTo("100k");
        assertThat(LaneColumn.compact(1_250_000)).isEqualTo("1.3M");
    }

    /** "Retried: queued again" stood for six minutes after the task had failed again; a notice now goes after a while. */
    @org.junit.jupiter.api.Test
    void aNotice_goesAfterTwentySeconds_ofSnapshots() {
        model.tell("Retried: queued again"); // before any snapshot: it counts from the first
        model.apply(snapshot().at(T0).build());

        model.apply(snapshot().at(T0.plusSeconds(19)).build());
        assertThat(model.noticeProperty().get()).isEqualTo("Retried: queued again");
        model.apply(snapshot().at(T0.plusSeconds(20)).build());
        assertThat(model.noticeProperty().get()).isEmpty();
        model.tell("Cancelled a"); // a new one counts from the snapshot after it
        model.apply(snapshot().at(T0.plusSeconds(30)).build());
        model.apply(snapshot().at(T0.plusSeconds(49)).build());
        assertThat(model.noticeProperty().get()).isEqualTo("Cancelled a");
        model.apply(snapshot().at(T0.plusSeconds(50)).build());
        assertThat(model.noticeProperty().get()).isEmpty();
    }
}
