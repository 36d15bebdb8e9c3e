package io.queuedeck.console.control;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.nio.file.Path;

/** A started engine (one simulated GPU, the priority policy) and its config plane on the built-in defaults, for the Control screen's tests. */
record ControlRig(Engine engine, ConfigPlane plane) {
    static ControlRig started() {
        ServeConfig defaults = ServeConfig.defaults(name -> null);
        ReleaseClassifier classifier = new ReleaseClassifier(defaults.priorityRules());
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100))
                .classifier(classifier).policy("priority").build();
        engine.start();
        return new ControlRig(engine, new ConfigPlane(engine, classifier, defaults, ServeConfig.defaultText(),
                "built-in defaults", Path.of("").toAbsolutePath(), name -> null, "priority"));
    }
}
