package io.queuedeck.engine.cli;

import io.queuedeck.engine.sim.PolicyResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code simulate --sweep SEEDS;LOADS;SHAPES}: a grid of comparisons, summarised per load, shape
 * and policy as the mean of each ratio over the seeds with a 95% confidence interval (Student's
 * t, seeds as independent replications).
 */
record Sweep(List<Long> seeds, List<Double> loads, List<int[]> shapes) {

    /** One comparison of the grid. */
    record Run(double load, String shape, long seed, List<PolicyResult> results) {}

    /** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
            2.056, 2.052, 2.048, 2.045, 2.042};

    static Sweep parse(String text) {
        String[] parts = text.split(";", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("--sweep must be SEEDS;LOADS;SHAPES, e.g. '1,2,3;0.9,1.05;4x1024', got '" + text + "'");
        }
        try {
            List<Long> seeds = new ArrayList<>();
            for (String s : parts[0].split(",")) seeds.add(Long.parseLong(s.trim()));
            List<Double> loads = new ArrayList<>();
            for (String s : parts[1].split(",")) {
                double load = Double.parseDouble(s.trim());
                if (!(load > 0 && load <= 10)) throw new IllegalArgumentException("--sweep: load " + load + " is not in (0, 10]");
                loads.add(load);
            }
            List<int[]> shapes = new ArrayList<>();
            for (String s : parts[2].split(",")) {
                String[] xy = s.trim().toLowerCase(Locale.ROOT).split("x");
                int instances = Integer.parseInt(xy[0]);
                int seqs = Integer.parseInt(xy[1]);
                if (instances < 1 || seqs < 1) throw new IllegalArgumentException("--sweep: shape " + s + " needs positive numbers");
                shapes.add(new int[] {instances, seqs});
            }
            return new Sweep(seeds, loads, shapes);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--sweep must be SEEDS;LOADS;SHAPES with shapes as INSTANCESxMAX_SEQS, got '"
                    + text + "'");
        }
    }

    /** Per load, shape and policy: mean ± 95% half-width over seeds of the oracle ratio, bound ratio and goodput share. */
    static String summary(List<Run> runs, List<String> policies) {
        Map<String, List<Run>> groups = new LinkedHashMap<>();
        for (Run run : runs) {
            groups.computeIfAbsent(String.format(Locale.ROOT, "%.2f %s", run.load(), run.shape()), k -> new ArrayList<>()).add(run);
        }
        StringBuilder out = new StringBuilder();
        String format = "%-5s %-9s %-12s %5s %-17s %-17s %-17s %-17s%n";
        out.append(String.format(Locale.ROOT, format, "load", "shape", "policy", "seeds", "vs oracle", "vs bound",
                "goodput share", "e2e mean ms"));
        for (Map.Entry<String, List<Run>> group : groups.entrySet()) {
            String[] key = group.getKey().split(" ");
            for (String policy : policies) {
                List<PolicyResult> results = new ArrayList<>();
                for (Run run : group.getValue()) {
                    run.results().stream().filter(r -> r.policy().equals(policy)).forEach(results::add);
                }
                out.append(String.format(Locale.ROOT, format, key[0], key[1], policy, results.size(),
                        interval(results, r -> r.oracleRatio() == null ? Double.NaN : r.oracleRatio(), 3),
                        interval(results, r -> r.lab().lowerBoundRatio(), 2),
                        interval(results, r -> r.lab().goodputShare(), 3),
                        interval(results, r -> r.all().latencyMeanMs(), 0)));
            }
        }
        out.append("mean ± half-width of the 95% confidence interval over seeds (Student's t); vs oracle: mean latency over"
                + " srpt-oracle's (- without it); vs bound: over lower_bound_mean_ms\n");
        return out.toString();
    }

    private static String interval(List<PolicyResult> results, ToDoubleFunction<PolicyResult> figure, int decimals) {
        double[] values = results.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).toArray();
        if (values.length == 0) {
            return "-";
        }
        double mean = 0;
        for (double v : values) mean += v;
        mean /= values.length;
        if (values.length == 1) {
            return String.format(Locale.ROOT, "%." + decimals + "f", mean);
        }
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        double sd = Math.sqrt(squares / (values.length - 1));
        int df = values.length - 1;
        double t = df <= T975.length ? T975[df - 1] : 1.96;
        return String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f", mean, t * sd / Math.sqrt(values.length));
    }
}
