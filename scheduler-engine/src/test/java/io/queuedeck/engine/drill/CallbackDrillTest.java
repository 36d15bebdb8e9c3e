package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.config.ShippedDrills;
import org.junit.jupiter.api.Test;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The callback-outage drill counts real deliveries: the receiver gets every callback due, once,
 * after the outage; with one attempt the callbacks due during it are lost and the probe says so;
 * and a callback probe on a drill without callbacks measures nothing and so cannot pass.
 */
class CallbackDrillTest {
    private static final Pattern DUE = Pattern.compile("(\\d+) callbacks due: (\\d+) reached the receiver, (\\d+) never did \\((\\d+) dead-lettered\\), (\\d+) more than once");

    private static long[] callbacks(DrillResult result) {
        for (String finding : result.findings()) {
            Matcher m = DUE.matcher(finding);
            if (m.find()) {
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5))};
            }
        }
        throw new AssertionError("no callback finding in " + result.findings());
    }

    private static DrillResult.ProbeResult probe(DrillResult result, String name) {
        return result.probes().stream().filter(p -> p.probe().name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void callbackOutage_everyCallbackDueReachesTheReceiverOnce() {
        DrillResult result = new DrillRunner(DrillReader.read("callback-outage.yaml", ShippedDrills.text("callback-outage"))).run();

        long[] c = callbacks(result);
        assertThat(c[0]).as("callbacks due").isEqualTo(result.accounting().completed() + result.accounting().deadLettered());
        assertThat(c[0]).isGreaterThan(1000);
        assertThat(c[1]).as("delivered").isEqualTo(c[0]);
        assertThat(c[2]).as("lost").isZero();
        assertThat(c[4]).as("twice").isZero();
        assertThat(result.log()).anySatisfy(line -> assertThat(line.action()).startsWith("inject"));
        assertThat(result.markers()).anySatisfy(m -> assertThat(m.label()).startsWith("callback_down"));
    }

    @Test
    void callbackOutage_withOneAttempt_losesTheCallbacksDueWhileDown() {
        String broken = ShippedDrills.text("callback-outage").replace("max_attempts: 12", "max_attempts: 1");

        DrillResult result = new DrillRunner(DrillReader.read("callback-outage.yaml", broken)).run();

        long[] c = callbacks(result);
        assertThat(c[2]).as("lost").isGreaterThan(100).isEqualTo(c[3]);
        assertThat(probe(result, "no callback lost").passed()).isFalse();
        assertThat(probe(result, "nothing lost").passed()).as("the tasks themselves are fine").isTrue();
        assertThat(result.holds()).isFalse();
    }

    @Test
    void callbackProbe_onADrillWithoutCallbacks_measuresNothingAndFails() {
        String text = ShippedDrills.text("callback-outage")
                .replace("  callbacks: {max_attempts: 12, base_delay: 1s, max_delay: 30s}\n", "");

        DrillResult result = new DrillRunner(DrillReader.read("no-callbacks.yaml", text)).run();

        assertThat(probe(result, "no callback lost").passed()).isFalse();
        assertThat(probe(result, "no callback lost").samples()).isZero();
        assertThat(result.log()).anySatisfy(line -> assertThat(line.observed()).contains("posts no callbacks"));
    }
}
