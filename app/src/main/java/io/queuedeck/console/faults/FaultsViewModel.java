package io.queuedeck.console.faults;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.DemoLoad;
import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.console.gateway.GpuCommands;
import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.console.gateway.GpuRows;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Fault injection: the per-GPU commands ({@link GpuCommands}), a load burst, the list
 * of faults active now (read from the snapshot, so it is the engine's truth, not a memory of
 * clicks) and "clear all".
 */
public final class FaultsViewModel {
    public static final double BURST_FACTOR = 10;
    public static final int BURST_SECONDS = 30;

    /** Dead letters listed, at most. */
    public static final int DEAD_LETTER_LIMIT = 500;

    /** A task that exhausted its attempts. */
    public record DeadLetter(String id, int priority, int attempts, String error) {}

    /** A fault in force now; {@code faultId} is the catalogue's id (null for a GPU's state or the demo burst). */
    public record ActiveFault(String target, String fault, boolean clearable, String faultId) {
        public ActiveFault(String target, String fault, boolean clearable) {
            this(target, fault, clearable, null);
        }
    }

    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final GpuRows gpuRows = new GpuRows();
    private final GpuCommands gpuCommands;
    private final DemoLoad load;
    private final ChangeLog log;
    private final ObservableList<ActiveFault> active = FXCollections.observableArrayList();
    private final ObservableList<ActiveFault> readOnlyActive = FXCollections.unmodifiableObservableList(active);
    private final ReadOnlyBooleanWrapper anyClearable = new ReadOnlyBooleanWrapper(this, "anyClearable");
    private boolean wasBursting;
    private final EngineCommands commands;
    private final ObservableList<DeadLetter> deadLetters = FXCollections.observableArrayList();
    private final ObservableList<DeadLetter> readOnlyDeadLetters = FXCollections.unmodifiableObservableList(deadLetters);
    /** The dead letters held and dead-lettered since start when last listed: -1 lists at the first snapshot (a restart brings some back). */
    private long deadLetteredSeen = -1;
    private long deadLettersHeldSeen = -1;
    private boolean listingDead;
    private final CatalogueFaults catalogue;
    private final javafx.beans.property.ReadOnlyBooleanWrapper disarmed = new javafx.beans.property.ReadOnlyBooleanWrapper(this, "disarmed");
    /** The faults the snapshot shows (GPU states, the demo burst), kept to merge with the catalogue's. */
    private List<ActiveFault> engineFaults = List.of();

    public FaultsViewModel(EngineCommands commands, DemoLoad load, ChangeLog log) {
        this(commands, load, log, null);
    }

    /** @param catalogue the console's fault catalogue, for the tenant flood; null: no such button works */
    public FaultsViewModel(EngineCommands commands, DemoLoad load, ChangeLog log, CatalogueFaults catalogue) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.load = Objects.requireNonNull(load, "load");
        this.log = Objects.requireNonNull(log, "log");
        this.gpuCommands = new GpuCommands(commands, log);
        this.catalogue = catalogue;
    }

    public void apply(EngineSnapshot snapshot) {
        gpuRows.apply(snapshot);
        disarmed.set(catalogue != null && !catalogue.armed());
        List<ActiveFault> now = new ArrayList<>();
        for (GpuRow row : gpuRows.rows()) {
            String target = (row.isBackend() ? "Backend " : "GPU ") + row.id();
            switch (row.state()) {
                case DOWN -> now.add(new ActiveFault(target, row.isBackend() ? "down: health probes fail" : "crashed: restarting", false));
                case LOADING -> now.add(new ActiveFault(target, "crashed: reloading its model", false));
                case OFFLINE -> now.add(new ActiveFault(target, "offline", true));
                default -> { }
            }
            if (row.slowdown() != 1.0) {
                now.add(new ActiveFault(target, String.format(Locale.ROOT, "slowed ×%.0f", row.slowdown()), true));
            }
        }
        boolean bursting = load.bursting();
        if (bursting) {
            now.add(new ActiveFault("demo load", String.format(Locale.ROOT, "burst ×%.0f", BURST_FACTOR), false));
        }
        if (wasBursting && !bursting) {
            log.record(ChangeLog.Kind.RECOVERY, "load burst ended");
        }
        wasBursting = bursting;
        engineFaults = now;
        publish();
        if (catalogue != null) {
            catalogue.refresh(faults -> publish());
        }
        long dead = snapshot.counters().deadLettered();
        long held = snapshot.queuedByTier().getOrDefault(io.queuedeck.engine.tier.Tier.DEAD_LETTER, 0);
        if ((dead != deadLetteredSeen || held != deadLettersHeldSeen) && !listingDead) {
            // listed only when a count moves (a new dead letter, a retry, a replay elsewhere)
            deadLetteredSeen = dead;
            deadLettersHeldSeen = held;
            listingDead = true;
            commands.send(new Command.ListTasks(new TaskQuery(TaskState.DEAD_LETTERED, null, -1, DEAD_LETTER_LIMIT)))
                    .thenApply(TaskPage::tasks).whenComplete((tasks, error) -> {
                listingDead = false;
                if (error == null) {
                    deadLetters.setAll(tasks.stream()
                            .map(t -> new DeadLetter(t.id(), t.priority(), t.attempts(), t.error() == null ? "" : t.error()))
                            .toList());
                }
            });
        }
    }

    /** The snapshot's faults and the catalogue's, as last read. FX thread. */
    private void publish() {
        List<ActiveFault> now = new ArrayList<>(engineFaults);
        if (catalogue != null) {
            for (io.queuedeck.engine.fault.ActiveFault f : catalogue.active()) {
                now.removeIf(row -> causedBy(f, row)); // listed once, as the catalogue's, which can be cleared by itself
                String target = f.spec().radius().toString();
                // the row shows the target first: the label's own " on TARGET" would say it twice
                now.add(new ActiveFault(target, f.label().replace(" on " + target, "") + " (" + f.id()
                        + (f.endsAt() == null ? "" : ", ends " + UNTIL.format(f.endsAt())) + ")", true, f.id()));
            }
        }
        if (!now.equals(active)) {
            active.setAll(now);
        }
        anyClearable.set(now.stream().anyMatch(ActiveFault::clearable));
    }

    /** Whether a GPU's row ("slowed ×3", "offline") is what the catalogue's fault {@code f} does to it. */
    private static boolean causedBy(io.queuedeck.engine.fault.ActiveFault f, ActiveFault row) {
        io.queuedeck.engine.fault.BlastRadius radius = f.spec().radius();
        boolean onIt = switch (radius.scope()) {
            case NODE -> row.target().startsWith("GPU ");
            case INSTANCE -> row.target().equals("GPU " + radius.target());
            default -> false;
        };
        return onIt && switch (f.spec().kind()) {
            case SLOW -> row.fault().startsWith("slowed");
            case CRASH -> row.fault().equals("offline"); // a crash with a duration holds the GPU offline
            default -> false;
        };
    }

    /**
     * Floods the engine with {@code rate} tasks/s from one tenant for {@code seconds} (the
     * catalogue's {@code tenant_flood}, so it is listed, marked, audited and cleared as any fault);
     * a bad field or the kill switch is reported under "tenant flood".
     */
    public void tenantFlood(String tenant, String rate, String seconds) {
        if (catalogue != null && commands.mayInjectFault("tenant flood")) {
            catalogue.startFlood(tenant, rate, seconds, this::publish);
        }
    }

    /** Whether the tenant flood can be started here (the console has a fault catalogue). */
    public boolean floods() {
        return catalogue != null;
    }

    /** Ends one fault of the catalogue (a GPU's own state is cleared with its buttons or "clear all"). */
    public void clear(ActiveFault fault) {
        if (catalogue != null && fault != null && fault.faultId() != null) {
            catalogue.clear(fault.faultId(), this::publish);
        }
    }

    /** Tasks that exhausted their attempts, oldest first. */
    public ObservableList<DeadLetter> deadLetters() {
        return readOnlyDeadLetters;
    }

    /** Whether the kill switch has disarmed injection: every fault button is refused until re-armed. */
    public javafx.beans.property.ReadOnlyBooleanProperty disarmedProperty() {
        return disarmed.getReadOnlyProperty();
    }

    public ObservableList<ActiveFault> activeFaults() {
        return readOnlyActive;
    }

    /** Whether "clear all" has something to do. */
    public ReadOnlyBooleanProperty anyClearableProperty() {
        return anyClearable.getReadOnlyProperty();
    }

    public ObservableList<ChangeLog.Entry> log() {
        return log.entries();
    }

    /** The GPUs, one row each; a row changes only when its instance did. */
    public ObservableList<GpuRow> gpuRows() {
        return gpuRows.rows();
    }

    /** The per-GPU fault commands, for the GPU buttons. */
    public GpuCommands gpuCommands() {
        return gpuCommands;
    }

    /** Why bursts and poison tasks cannot run here (real backends serve no simulated model), or null. */
    public String simulatedLoadUnavailable() {
        return load.unavailable();
    }

    /** 10× the demo load for 30 s; refused (and reported) while the kill switch is pulled. */
    public void burst() {
        if (!load.bursting() && commands.mayInjectFault("load burst")) {
            load.burst(BURST_FACTOR, BURST_SECONDS);
            String what = String.format(Locale.ROOT, "load burst ×%.0f for %d s", BURST_FACTOR, BURST_SECONDS);
            log.record(ChangeLog.Kind.OPERATOR, what);
            commands.audited("fault.load_burst", what);
        }
    }

    /** Submits a task that fails on every attempt: retries, then the dead letters, in plain sight. */
    public void poisonTask() {
        TaskSpec poison = new TaskSpec(null, Engine.Builder.DEFAULT_MODEL, "poison drill", TaskSpec.DEFAULT_PRIORITY,
                null, null, "drill", null, 64, null, Map.of(SimulatedGpuExecutor.POISON_KEY, "true"));
        commands.send(new Command.Submit(poison)).thenAccept(result -> {
            String what = result == null ? "poison task" : "poison task " + result.task().id();
            log.record(ChangeLog.Kind.FAULT, what + " submitted");
            commands.audited("fault.poison_task", what); // a fault, though sent as a task
        });
    }

    /** Queues a dead letter again; it leaves the list until it fails again. */
    public void retry(DeadLetter letter) {
        commands.send(new Command.RetryDeadLetter(letter.id())).thenRun(() -> {
            deadLetters.remove(letter);
            log.record(ChangeLog.Kind.OPERATOR, "dead letter " + letter.id() + " retried");
        });
    }

    /**
     * Brings offline GPUs back and restores slowed ones. A crashed GPU cannot be hurried: it
     * comes back by itself once its model has reloaded. Every fault of the catalogue ends too.
     */
    public void clearAll() {
        if (catalogue != null && !catalogue.active().isEmpty()) {
            catalogue.clearAll(this::publish);
        }
        restoreGpus();
    }

    /**
     * Brings offline GPUs back and restores slowed ones that the buttons set; answers how many it
     * changed. What a catalogue fault did is the catalogue's to end and to count: counted here too,
     * a drill's slow GPU was two of the kill switch's "faults cleared".
     */
    public int restoreGpus() {
        int restored = 0;
        for (GpuRow row : gpuRows.rows()) {
            String target = (row.isBackend() ? "Backend " : "GPU ") + row.id();
            if (row.state() == InstanceState.OFFLINE && !fromCatalogue(new ActiveFault(target, "offline", true))) {
                gpuCommands.setOnline(row.id(), true);
                restored++;
            }
            if (row.slowdown() != 1.0 && !fromCatalogue(new ActiveFault(target, "slowed", true))) {
                gpuCommands.slow(row.id(), 1.0);
                restored++;
            }
        }
        return restored;
    }

    private boolean fromCatalogue(ActiveFault row) {
        return catalogue != null && catalogue.active().stream().anyMatch(f -> causedBy(f, row));
    }
}
