package io.queuedeck.engine;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Layering and time rules of the engine (see docs/architecture.md): packages form no cycles,
 * the engine never reaches the UI toolkits or the console, and reads time only through its
 * injected clock.
 */
@AnalyzeClasses(packages = "io.queuedeck.engine", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String SYSTEM_CLOCK = "io.queuedeck.engine.clock.SystemClock";
    /** Reports how long a run took on the host (events per wall second); the run itself is on virtual time. */
    private static final String SIMULATION = "io.queuedeck.engine.sim.Simulation";
    /** Paces its polls while a node's start waits for its name; how long is Redis's time, and Redis is never simulated. */
    private static final String NODE_NAME = "io.queuedeck.engine.cluster.NodeName";

    /** Each package is its own slice (the root package too): none may reach back to one that depends on it. */
    @ArchTest
    static final ArchRule packages_formNoCycles =
            slices().matching("io.queuedeck.(**)").should().beFreeOfCycles()
                    .because("a package that reaches back to its user cannot be read or changed on its own (docs/architecture.md)");

    /**
     * Java has no friend packages, so {@code Task}'s setters are public for the loop, the policies
     * and the executors that keep its books; nobody else may reach a live task.
     */
    @ArchTest
    static final ArchRule liveTasks_touchedOnlyByLoopPoliciesAndExecutors =
            noClasses().that().resideOutsideOfPackages("io.queuedeck.engine.loop..", "io.queuedeck.engine.policy..",
                            "io.queuedeck.engine.exec..", "io.queuedeck.engine.task..")
                    .should().dependOnClassesThat().haveFullyQualifiedName("io.queuedeck.engine.task.Task")
                    .because("a live Task is the loop's mutable state; everyone else reads TaskView");

    @ArchTest
    static final ArchRule engine_dependsOnUi_never =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .should().dependOnClassesThat()
                    .resideInAnyPackage("javafx..", "javax.swing..", "io.queuedeck.console..")
                    .because("the engine is a plain library; the console depends on it, never the other way");

    @ArchTest
    static final ArchRule core_dependsOnHttpOrMetricsLibraries_never =
            noClasses()
                    .that().resideOutsideOfPackages("io.queuedeck.engine.api..", "io.queuedeck.engine.callback..",
                            "io.queuedeck.engine.metrics..", "io.queuedeck.engine.cli..", "io.queuedeck.engine.exec.openai..")
                    .and().resideInAPackage("io.queuedeck.engine..")
                    .should().dependOnClassesThat()
                    .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..", "okhttp3..",
                            "io.prometheus..")
                    .because("the HTTP adapter, callbacks, exposition and the inference-server executor are thin edges;"
                            + " the loop and policies stay plain Java");

    @ArchTest
    static final ArchRule embeddedStore_isUsedOnlyByTheDurableStores =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.callback.MvCallbackFile")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.store.MvTaskFile")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.store.MvFiles")
                    .should().dependOnClassesThat().resideInAnyPackage("org.h2..")
                    .because("H2's MVStore is read only to import the task and callback files of earlier versions"
                            + " (decisions 0045, 0127)");

    @ArchTest
    static final ArchRule sqlite_isUsedOnlyByTheEmbeddedStores =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.store.SqliteTaskStore")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.callback.SqliteDeliveryStore")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.store.WalCheckpointer")
                    .should().dependOnClassesThat().resideInAnyPackage("org.sqlite..", "java.sql..")
                    .because("SQLite is an implementation detail behind TaskStore.embedded and DeliveryStore.durable"
                            + " (decisions 0045, 0094, 0127)");

    @ArchTest
    static final ArchRule redisClient_isUsedOnlyByTheRedisStore =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.store.RedisTaskStore")
                    .and().doNotHaveFullyQualifiedName("io.queuedeck.engine.cluster.RedisSharedQueue")
                    .should().dependOnClassesThat().resideInAnyPackage("io.lettuce..", "io.netty..", "reactor..")
                    .because("Lettuce is an implementation detail behind TaskStore.redis and SharedQueue.redis (decisions 0024, 0034)");

    @ArchTest
    static final ArchRule edges_reachTheLoop_onlyThroughEngine =
            noClasses()
                    .that().resideInAnyPackage("io.queuedeck.engine.api..", "io.queuedeck.engine.callback..",
                            "io.queuedeck.engine.metrics..")
                    .should().dependOnClassesThat()
                    .haveFullyQualifiedName("io.queuedeck.engine.loop.SchedulerLoop")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName("io.queuedeck.engine.loop.LoopDriver")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName("io.queuedeck.engine.task.Task")
                    .because("the API, callbacks and metrics send commands and read snapshots, events and TaskViews;"
                            + " only the loop touches live tasks");

    /**
     * The simulator's report charts draw PNGs with JFreeChart, which paints with java.awt (off
     * screen, headless). That stays in the report package, which only the CLI uses, so the library
     * itself never loads AWT.
     */
    @ArchTest
    static final ArchRule engine_usesAwt_onlyForReportCharts =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .and().resideOutsideOfPackage("io.queuedeck.engine.report..")
                    .should().dependOnClassesThat().resideInAnyPackage("java.awt..", "org.jfree..")
                    .because("charts are drawn by the report package alone, headless");

    @ArchTest
    static final ArchRule reportPackage_usedOnlyByCli =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .and().resideOutsideOfPackages("io.queuedeck.engine.report..", "io.queuedeck.engine.cli..")
                    .should().dependOnClassesThat().resideInAPackage("io.queuedeck.engine.report..")
                    .because("the library must run without the optional charting dependency");

    /**
     * The system clock is read only by SystemClock (and its nested classes), by the CLI, and by
     * Simulation to time itself on the host; NodeName sleeps between its polls of Redis.
     * Benchmarks (src/jmh, only in the bench profile) are measurement code and exempt.
     */
    @ArchTest
    static final ArchRule engine_readsTimeOrSleeps_onlyThroughClock =
            noClasses()
                    .that().resideInAPackage("io.queuedeck.engine..")
                    .and().resideOutsideOfPackages("io.queuedeck.engine.cli..", "io.queuedeck.engine.bench..")
                    .and(not(systemClockOrNested()))
                    .should().callMethodWhere(systemTimeOrSleep())
                    .because("time and timers go through the injected engine clock, so the simulator can run on virtual time")
                    // the layering rule above already fails if no engine class was imported
                    .allowEmptyShould(true);

    private static DescribedPredicate<JavaClass> systemClockOrNested() {
        return DescribedPredicate.describe(
                "SystemClock or a class nested in it, Simulation's own wall-time measurement, or NodeName's polls of Redis",
                c -> c.getName().equals(SYSTEM_CLOCK) || c.getName().startsWith(SYSTEM_CLOCK + "$")
                        || c.getName().equals(SIMULATION) || c.getName().equals(NODE_NAME));
    }

    private static DescribedPredicate<JavaCall<?>> systemTimeOrSleep() {
        DescribedPredicate<JavaCall<?>> systemTime =
                target(owner(JavaClass.Predicates.equivalentTo(System.class)))
                        .and(target(name("nanoTime").or(name("currentTimeMillis"))));
        DescribedPredicate<JavaCall<?>> sleep =
                target(owner(JavaClass.Predicates.equivalentTo(Thread.class)))
                        .and(target(name("sleep")));
        return systemTime.or(sleep)
                .as("System.nanoTime, System.currentTimeMillis or Thread.sleep");
    }
}
