package io.queuedeck.engine.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per-class service objectives for goodput: a task meets them when its time to first token and
 * its mean time per output token (after the first) are both within its priority's limits.
 *
 * @param ttftMs TTFT limit per priority 0–9, ms
 * @param tpotMs TPOT limit per priority 0–9, ms
 */
public record ServiceObjectives(double[] ttftMs, double[] tpotMs) {

    /**
     * The defaults, by tier: core (0–2) 1 s TTFT and 100 ms TPOT (an interactive chat),
     * normal (3–6) 5 s and 200 ms, batch (7–9) 60 s and 1 s.
     */
    public static ServiceObjectives defaults() {
        double[] ttft = new double[10];
        double[] tpot = new double[10];
        for (int p = 0; p < 10; p++) {
            ttft[p] = p <= 2 ? 1_000 : p <= 6 ? 5_000 : 60_000;
            tpot[p] = p <= 2 ? 100 : p <= 6 ? 200 : 1_000;
        }
        return new ServiceObjectives(ttft, tpot);
    }

    /**
     * The defaults with the classes in {@code text} replaced: {@code P=TTFT_MS:TPOT_MS,…}, for
     * example {@code 1=500:50,5=10000:300}.
     */
    public static ServiceObjectives parse(String text) {
        ServiceObjectives result = defaults();
        Map<Integer, double[]> given = new TreeMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=");
            String[] limits = kv.length == 2 ? kv[1].split(":") : new String[0];
            if (kv.length != 2 || limits.length != 2) {
                throw new IllegalArgumentException("--slo: '" + part.trim() + "' is not PRIORITY=TTFT_MS:TPOT_MS");
            }
            try {
                int p = Integer.parseInt(kv[0].trim());
                double ttft = Double.parseDouble(limits[0].trim());
                double tpot = Double.parseDouble(limits[1].trim());
                if (p < 0 || p > 9 || !(ttft > 0) || !(tpot > 0)) {
                    throw new IllegalArgumentException("--slo: '" + part.trim() + "': priority 0-9 and positive limits");
                }
                given.put(p, new double[] {ttft, tpot});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--slo: '" + part.trim() + "' is not PRIORITY=TTFT_MS:TPOT_MS");
            }
        }
        given.forEach((p, limits) -> {
            result.ttftMs[p] = limits[0];
            result.tpotMs[p] = limits[1];
        });
        return result;
    }

    public ServiceObjectives {
        if (ttftMs.length != 10 || tpotMs.length != 10) {
            throw new IllegalArgumentException("one limit per priority 0-9");
        }
        ttftMs = ttftMs.clone();
        tpotMs = tpotMs.clone();
    }

    /** Whether a task of {@code priority} with these figures met its objectives. */
    public boolean met(int priority, double ttftMillis, double tpotMillis) {
        int p = Math.max(0, Math.min(9, priority));
        return ttftMillis <= ttftMs[p] && tpotMillis <= tpotMs[p];
    }
}
