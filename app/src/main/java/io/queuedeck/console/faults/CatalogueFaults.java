package io.queuedeck.console.faults;

import io.queuedeck.console.gateway.BackgroundThread;
import io.queuedeck.console.gateway.ConsoleAudit;
import io.queuedeck.engine.fault.ActiveFault;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The Faults screen's way to the console's one fault catalogue (the one the Drills screen, the
 * REST API and the kill switch share), for faults that exist only there: the tenant flood. The
 * catalogue waits for the engine's answers and locks while it injects, so every call runs on a
 * thread of its own and its answer is handed to the FX thread; the FX thread never waits.
 */
public final class CatalogueFaults {
    public static final double DEFAULT_FLOOD_RATE = 20;
    public static final int DEFAULT_FLOOD_SECONDS = 60;
    /** The longest flood the screen starts: a forgotten one ends by itself. */
    public static final int MAX_FLOOD_SECONDS = 3_600;

    private final FaultCatalogue catalogue;
    private final Executor fx;
    private final BiConsumer<String, Throwable> report;
    private final ExecutorService background = BackgroundThread.named("queuedeck-faults-screen");
    private List<ActiveFault> active = List.of();
    private boolean reading;

    /** Whether injection is allowed: false after the kill switch, until re-armed. Any thread. */
    public boolean armed() {
        return catalogue.armed();
    }

    /**
     * @param fx     runs the answers on the FX thread
     * @param report tells the operator an action was refused (the kill switch, a bad field), any thread
     */
    public CatalogueFaults(FaultCatalogue catalogue, Executor fx, BiConsumer<String, Throwable> report) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.fx = Objects.requireNonNull(fx, "fx");
        this.report = Objects.requireNonNull(report, "report");
    }

    /**
     * What the flood button sends: {@code rate} tasks/s from tenant {@code tenant} for {@code seconds}.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    static FaultSpec flood(String tenant, String rate, String seconds) {
        String name = tenant == null ? "" : tenant.strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tenant: name the tenant that floods (its tasks carry that tenant)");
        }
        BlastRadius radius;
        try {
            radius = BlastRadius.parse("tenant:" + name);
        } catch (IllegalArgumentException e) { // the engine's word is "target"; on this screen the field is Tenant
            throw new IllegalArgumentException("tenant: " + e.getMessage().replaceFirst("^target: ", ""));
        }
        double perSecond = number("rate", rate, 0.1, FaultSpec.MAX_LOAD_RATE);
        double duration = number("seconds", seconds, 1, MAX_FLOOD_SECONDS);
        return new FaultSpec(FaultKind.TENANT_FLOOD, radius, Map.of("rate", perSecond), Duration.ofSeconds((long) duration));
    }

    private static double number(String field, String text, double min, double max) {
        double value;
        try {
            value = Double.parseDouble(text == null ? "" : text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": a number from " + fmt(min) + " to " + fmt(max) + ", got '" + text + "'");
        }
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + ": from " + fmt(min) + " to " + fmt(max) + ", got " + fmt(value));
        }
        return value;
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /** Starts a tenant flood; a refusal (bad field, kill switch) is reported as "tenant flood". */
    void startFlood(String tenant, String rate, String seconds, Runnable then) {
        FaultSpec spec;
        try {
            spec = flood(tenant, rate, seconds);
        } catch (IllegalArgumentException e) {
            report.accept("tenant flood", e);
            return;
        }
        background.execute(() -> {
            try {
                catalogue.inject(spec, ConsoleAudit.actor()); // audited (fault.inject) and marked on the charts
            } catch (RuntimeException e) {
                report.accept("tenant flood", e);
            }
            read(then);
        });
    }

    /** The operator brings {@code instance} online or takes it offline: a crash fault holding it lets it go. Any thread; never blocks. */
    public java.util.concurrent.CompletableFuture<Void> handBack(int instance) {
        return java.util.concurrent.CompletableFuture.runAsync(() -> catalogue.handBack(instance, ConsoleAudit.actor()), background);
    }

    /** Clears one fault of the catalogue. */
    void clear(String id, Runnable then) {
        background.execute(() -> {
            catalogue.clear(id, ConsoleAudit.actor());
            read(then);
        });
    }

    /** Clears every fault of the catalogue. */
    void clearAll(Runnable then) {
        background.execute(() -> {
            catalogue.clearAll(ConsoleAudit.actor());
            read(then);
        });
    }

    /** Reads the faults in force again, unless a read is under way; {@code then} on the FX thread. FX thread. */
    void refresh(Consumer<List<ActiveFault>> then) {
        if (reading) {
            return;
        }
        reading = true;
        background.execute(() -> {
            List<ActiveFault> now = catalogue.active();
            fx.execute(() -> {
                reading = false;
                active = now;
                then.accept(now);
            });
        });
    }

    private void read(Runnable then) {
        List<ActiveFault> now = catalogue.active();
        fx.execute(() -> {
            active = now;
            then.run();
        });
    }

    /** The faults in force as last read (FX thread). */
    List<ActiveFault> active() {
        return active;
    }
}
