package io.queuedeck.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The console reaches the engine only through its API (ARCHITECTURE.md): the Engine facade,
 * snapshots, events and value records. Never the scheduler loop, its clock, or the mutable
 * task, policy and executor objects the loop owns.
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

    @ArchTest
    static final ArchRule console_callsLoopOnVirtualClock_never =
            noClasses().that().resideInAPackage("io.queuedeck.console..")
                    .should().callMethod(io.queuedeck.engine.Engine.class, "loopOnVirtualClock")
                    .because("only the simulator may drive the loop directly");

    @ArchTest
    static final ArchRule viewModels_holdNodes_never =
            noClasses().that().haveSimpleNameEndingWith("ViewModel")
                    .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "eu.hansolo..", "org.controlsfx..")
                    .because("view-models are tested without a window; views bind and forward");
}
