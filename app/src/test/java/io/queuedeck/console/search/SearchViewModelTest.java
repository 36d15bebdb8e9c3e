package io.queuedeck.console.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.CommandFailure;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Search screen's model against a real engine on a virtual clock (commands answer at once,
 * bulk operations run on the calling thread): search over every task, Enter on an id, bulk actions
 * with a count first, a typed confirmation and undo.
 */
class SearchViewModelTest {
    private final List<CommandFailure> failures = new ArrayList<>();
    private Engine engine;

    private SearchViewModel model(int tasks) {
        engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // nothing runs: every task stays where it was put
        for (int i = 0; i < tasks; i++) {
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", 5, null, i % 4 == 0 ? "acme" : "zeta",
                    null, null, 8, null, null))).join();
        }
        EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);
        return new SearchViewModel(gateway, gateway);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private Map<String, Integer> lanes() {
        Map<String, Integer> lanes = new LinkedHashMap<>();
        for (TaskView view : engine.send(new Command.WaitingTasks(1_000_000)).join()) {
            lanes.put(view.id(), view.priority());
        }
        return lanes;
    }

    /** A right-to-left override in a metadata value made the details pane read "note: txt.exe" for "exe.txt". */
    @Test
    void details_showInvisibleCharactersOfMetadataByTheirCode_whileTheTaskKeepsThemAsSent() {
        model(0);
        String sent = "invoice\u202Etxt.exe\u200B";
        engine.send(new Command.Submit(new TaskSpec("rlo", "llama-2-7b", "hi", 5, null, "acme", null, null, 8, null,
                Map.of("note", sent)))).join();
        TaskView view = engine.send(new Command.WaitingTasks(10)).join().getFirst();

        assertThat(view.spec().metadata()).containsEntry("note", sent); // the data stays as it was sent
        assertThat(SearchViewModel.details(view)).contains("note: invoice\\u202Etxt.exe\\u200B")
                .doesNotContain("\u202E").doesNotContain("\u200B");
    }

    /** A refused search left the last results and their bulk count, so Preview and Apply acted on an older filter. */
    @Test
    void refusedSearch_clearsTheListAndTheCount_andPreviewAsksForASearch() {
        SearchViewModel model = model(20);
        model.search();
        assertThat(model.results()).isNotEmpty();
        model.minPriorityProperty().set(7);
        model.maxPriorityProperty().set(2);

        model.search();

        assertThat(model.messageProperty().get()).contains("min_priority");
        assertThat(model.results()).isEmpty();
        model.preview();
        assertThat(model.messageProperty().get()).startsWith("Search first");
        assertThat(model.apply((String) null)).isFalse();
    }

    @Test
    void search_findsATaskAtTheBackOfA100kLane_byMetadataText() {
        SearchViewModel model = model(100_000);
        engine.send(new Command.Submit(new TaskSpec("poison-1", "llama-2-7b", "hi", 5, null, "acme", null, null, 8, null,
                Map.of("note", "poison pill")))).join();

        model.textProperty().set("POISON");
        model.search();

        assertThat(model.results()).extracting(TaskView::id).containsExactly("poison-1");
        assertThat(model.totalProperty().get()).isEqualTo(1);
        assertThat(model.messageProperty().get()).startsWith("1 task matches");
    }

    @Test
    void enterOnAFullId_opensTheTask_orSaysItDoesNotExist() {
        SearchViewModel model = model(10);

        model.idProperty().set("t7");
        assertThat(model.openId()).isTrue();
        assertThat(model.openedProperty().get().id()).isEqualTo("t7");

        model.idProperty().set("t77");
        model.search(); // as Enter does: the list, then the look-up
        model.openId();
        assertThat(model.openedProperty().get()).isNull();
        // it said "the list shows any whose id starts with it" over an empty list
        assertThat(model.messageProperty().get()).isEqualTo("No task has exactly the id 't77', and none an id that starts with it");
        model.idProperty().set("  ");
        assertThat(model.openId()).as("nothing typed, nothing looked up").isFalse();
    }

    // the details beside other matches read as one of them, with a wait frozen when it was opened
    @Test
    void newSearch_keepsTheOpenedTaskOnlyWhenItIsAmongTheMatches_asItIsNow() {
        SearchViewModel model = model(10);
        model.idProperty().set("t4");
        model.openId();
        engine.send(new Command.Reprioritize("t4", 2)).join();

        model.idProperty().set("");
        model.tenantProperty().set("acme"); // t0, t4, t8
        model.search();
        assertThat(model.openedProperty().get().priority()).as("the task as it is now").isEqualTo(2);

        model.tenantProperty().set("zeta");
        model.search();
        assertThat(model.openedProperty().get()).isNull();
    }

    @Test
    void search_pagesAndSortsEveryMatch() {
        SearchViewModel model = model(250);
        model.tenantProperty().set("zeta");
        model.search();
        assertThat(model.totalProperty().get()).isEqualTo(187);
        assertThat(model.results()).hasSize(SearchViewModel.PAGE).first().extracting(TaskView::id).isEqualTo("t1");

        model.sortBy(TaskSort.SUBMITTED); // the same column again: newest first
        model.nextPage();

        assertThat(model.descendingProperty().get()).isTrue();
        assertThat(model.offsetProperty().get()).isEqualTo(100);
        assertThat(model.results()).hasSize(87).last().extracting(TaskView::id).isEqualTo("t1");
    }

    @Test
    void bulkReprioritize_changesExactlyTheMatchingTasks_andUndoRestoresThem() {
        SearchViewModel model = model(40);
        Map<String, Integer> before = lanes();
        model.tenantProperty().set("acme");
        model.stateProperty().set(TaskState.QUEUED);
        model.search();
        model.actionProperty().set(BulkAction.REPRIORITIZE);
        model.targetPriorityProperty().set(1);

        assertThat(model.apply("")).as("not counted yet").isFalse();
        model.preview();
        assertThat(model.affectedProperty().get()).isEqualTo(10);
        assertThat(model.apply("")).isTrue();

        assertThat(model.operationProperty().get().state()).isEqualTo("done");
        Map<String, Integer> after = lanes();
        before.forEach((id, lane) -> assertThat(after.get(id)).as(id)
                .isEqualTo(Integer.parseInt(id.substring(1)) % 4 == 0 ? 1 : lane));
        assertThat(model.results()).as("the results show the change").allMatch(v -> v.priority() == 1);

        model.undo();

        assertThat(model.operationProperty().get().state()).isEqualTo("undone");
        assertThat(lanes()).containsExactlyEntriesOf(before);
        assertThat(model.messageProperty().get()).startsWith("Undone: 10 tasks put back where they were. 10 tasks match");
        assertThat(failures).isEmpty();
    }

    /** An undo left a task someone reprioritized since as it was, and the message said all ten were put back. */
    @Test
    void undo_ofTasksChangedSince_saysHowManyKeptTheirLaterChange() {
        SearchViewModel model = model(40);
        model.tenantProperty().set("acme");
        model.search();
        model.actionProperty().set(BulkAction.REPRIORITIZE);
        model.targetPriorityProperty().set(1);
        model.preview();
        assertThat(model.apply("")).isTrue();
        engine.send(new Command.Reprioritize("t4", 8)).join(); // someone else's later change

        model.undo();

        assertThat(lanes()).containsEntry("t4", 8).containsEntry("t0", 5);
        assertThat(model.messageProperty().get()).startsWith("Undone: 9 tasks put back where they were;"
                + " 1 task changed since and kept that change.");
        assertThat(failures).isEmpty();
    }

    /** The count to confirm is what the action would change: a cancelled task is matched, not cancelled again. */
    @Test
    void preview_countsWhatTheActionWouldChange_besideWhatMatches() {
        SearchViewModel model = model(8);
        engine.send(new Command.Cancel("t0")).join();
        model.search();
        model.actionProperty().set(BulkAction.CANCEL);

        model.preview();

        assertThat(model.affectedProperty().get()).isEqualTo(7);
        assertThat(model.messageProperty().get()).startsWith("Cancel: 7 tasks would change, of 8 that match");
    }

    @Test
    void bulkCancel_overTheThreshold_needsTheCountTyped_andCannotBeUndone() {
        SearchViewModel model = model(1_050);
        model.search();
        model.actionProperty().set(BulkAction.CANCEL);
        model.preview();

        assertThat(model.confirmationRequiredProperty().get()).isTrue();
        assertThat(model.apply("105")).isFalse();
        assertThat(model.messageProperty().get()).startsWith("Type 1050 to confirm");
        assertThat(lanes()).hasSize(1_050);

        assertThat(model.apply(" 1,050 ")).as("as the screen writes counts").isTrue();

        assertThat(lanes()).isEmpty();
        assertThat(model.operationProperty().get().undoable()).isFalse();
        model.undo();
        assertThat(model.messageProperty().get()).isEqualTo("Nothing to undo");
    }
}
