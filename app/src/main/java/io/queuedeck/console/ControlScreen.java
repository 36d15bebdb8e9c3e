package io.queuedeck.console;

import io.queuedeck.console.alerts.AlertThresholds;
import io.queuedeck.console.alerts.AlertsViewModel;
import io.queuedeck.console.control.AlertsForm;
import io.queuedeck.console.control.ControlView;
import io.queuedeck.console.control.ControlViewModel;
import io.queuedeck.console.control.FlowViewModel;
import io.queuedeck.console.gateway.BackgroundThread;
import io.queuedeck.console.gateway.ConsoleAudit;
import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.config.AlertSettings;
import io.queuedeck.engine.config.ConfigException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.scene.Parent;

/** Wires the Control screen: its models, the thread its plane calls run on, and alerts that follow the running config. */
final class ControlScreen {
    private ControlScreen() {}

    /**
     * A policy switch from the header or the Policies screen as a version of the running config
     * (the plane's), so the Control screen's text, history and markers name the policy that runs;
     * on a thread of its own, answered on the FX thread either way; a refusal (an unknown
     * parameter, a bad value) is told to the operator as a refused command is.
     */
    static io.queuedeck.console.policies.PoliciesViewModel.ConfigSwitch policySwitch(EmbeddedEngine system, EngineGateway gateway) {
        ExecutorService calls = BackgroundThread.named("queuedeck-policy");
        String actor = System.getProperty("user.name", "operator");
        return (name, parameters) -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            java.util.Map<String, String> given = parameters.get();
            system.plane().switchPolicy(name, given, "console by " + actor);
            system.engine().audit().record(ConsoleAudit.actor(), "console", "policy.switch", name, 0,
                    given.isEmpty() ? null : new java.util.TreeMap<>(given).toString()); // what an operator set, in Activity
            return name;
        }, calls).whenComplete((applied, error) -> {
            if (error != null) {
                // the switch is a change of the running config: its lines are that text's, on the Control screen
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                gateway.reportFailure("Switch policy to " + name, new IllegalArgumentException(withoutLines(
                        String.valueOf(cause.getMessage())), cause));
            }
        }).whenCompleteAsync((applied, error) -> { }, Platform::runLater);
    }

    /**
     * A refusal without its "(line 45)": the line is of the text the switch made (the running config with
     * its policy block replaced), which is shown nowhere, so it sent the operator to the wrong line; the key
     * path it names (policy.parameters.aging_seconds) says what to fix.
     */
    static String withoutLines(String refusal) {
        return refusal.replaceAll(" ?\\(line \\d+\\)", "");
    }

    static void install(Map<Screen, Supplier<Parent>> screens, EmbeddedEngine system, EngineGateway gateway, AlertsViewModel alerts) {
        // one daemon thread: an apply waits for the scheduler loop, never the FX thread
        ExecutorService calls = BackgroundThread.named("queuedeck-control");
        String actor = System.getProperty("user.name", "operator");
        ControlViewModel control = new ControlViewModel(system.plane(), calls, Platform::runLater, actor,
                change -> system.engine().audit().record(ConsoleAudit.actor(), "console", change.action(),
                        "config version " + change.version(), 0, change.detail()));
        FlowViewModel flow = new FlowViewModel(() -> system.plane().current().config().flow());
        // the engine's tier table: fixed for its life (a table change needs a restart, decision 0061)
        io.queuedeck.engine.tier.Tiers table = system.plane().current().config().flow().table();
        AlertsForm form = new AlertsForm(table);
        gateway.addListener(control::apply);
        gateway.addListener(flow::apply);
        control.runningTextProperty().addListener((o, was, text) -> {
            try {
                AlertThresholds next = AlertThresholds.from(AlertSettings.read("running config", text, table));
                alerts.setThresholds(next);
                form.show(next);
            } catch (ConfigException e) {
                // the plane applied it, so its alerts section was read already; nothing to do
            }
        });
        screens.put(Screen.CONTROL, () -> new ControlView(control, flow, form).root());
    }
}
