package io.queuedeck.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;
import java.util.Set;

/**
 * The console reaches the engine only through its API (docs/architecture.md): the Engine facade,
 * snapshots, events and value records. Never the scheduler loop, its clock, or the mutable
 * task, policy and executor objects the loop owns. Inside the console, packages form no cycle
 * and no screen uses another: what two screens share lives in a package below the root.
 */
@AnalyzeClasses(packages = "io.queuedeck.console", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule console_touchesLoopInternals_never =
            noClasses().that().resideInAPackage("io.queuedeck.console..")
                    .should().dependOnClassesThat().resideInAPackage("io.queuedeck.engine.loop..")
                    .because("the loop's state has one owner; the console sends commands and reads snapshots");

    @ArchTest
    static final ArchRule console_touchesMutableEngineObjects_never =
            noClasses().that().resideInAPackage("io.queuedeck.console..")
                    .should().dependOnClassesThat().haveFullyQualifiedName("io.queuedeck.engine.task.Task")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName("io.queuedeck.engine.policy.SchedulingPolicy")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName("io.queuedeck.engine.exec.ExecutorContext")
                    .because("tasks, policies and executors are mutated by the loop alone; the console sees TaskView and snapshots");

    /** The screen packages, below io.queuedeck.console. */
    private static final Set<String> SCREENS = Set.of("overview", "lanes", "latency", "gpus", "faults", "policies", "search", "activity", "drills", "control");

    @ArchTest
    static final ArchRule packages_formCycles_never =
            slices().matching("io.queuedeck.(**)").should().beFreeOfCycles()
                    .because("the root package wires the screens; screens and shared packages never import it back");

    @ArchTest
    static final ArchRule screens_dependOnEachOther_never =
            slices().matching("io.queuedeck.console.(*)..")
                    .that(DescribedPredicate.describe("are screens", (Slice slice) -> SCREENS.contains(slice.getNamePart(1))))
                    .should().notDependOnEachOther()
                    .because("what two screens share (GPU rows and commands, widgets, ui helpers) lives outside both");

    @ArchTest
    static final ArchRule viewModels_holdNodes_never =
            noClasses().that().haveSimpleNameEndingWith("ViewModel")
                    .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "eu.hansolo..", "org.controlsfx..")
                    .because("view-models are tested without a window; views bind and forward");
}
