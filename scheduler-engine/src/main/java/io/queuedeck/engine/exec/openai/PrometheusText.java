package io.queuedeck.engine.exec.openai;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * Reads the few samples QueueDeck wants out of a Prometheus text exposition (version 0.0.4, which
 * vLLM and SGLang serve on {@code /metrics}). The Prometheus Java client only writes this format,
 * so this is a line reader for it alone (decision 0026): comments and unknown names are skipped,
 * label sets are stepped over (quoted values may hold braces, commas and escaped quotes), and the
 * samples of one name are summed over their label sets (a server reports one series per model).
 */
final class PrometheusText {

    private PrometheusText() {}

    /** The sum of each wanted metric's samples; a name with no sample, or no readable one, is absent. */
    static Map<String, Double> sums(String exposition, Set<String> wanted) {
        return fold(exposition, wanted, Double::sum);
    }

    /** The largest of each wanted metric's samples; a name with no readable sample is absent. */
    static Map<String, Double> maxima(String exposition, Set<String> wanted) {
        return fold(exposition, wanted, Math::max);
    }

    private static Map<String, Double> fold(String exposition, Set<String> wanted, BinaryOperator<Double> combine) {
        Map<String, Double> sums = new HashMap<>();
        int start = 0;
        int length = exposition.length();
        while (start < length) {
            int end = exposition.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            sample(exposition, start, end, wanted, sums, combine);
            start = end + 1;
        }
        return sums;
    }

    private static void sample(String text, int from, int to, Set<String> wanted, Map<String, Double> sums,
                               BinaryOperator<Double> combine) {
        int i = from;
        while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        if (i >= to || text.charAt(i) == '#') {
            return;
        }
        int nameStart = i;
        while (i < to && text.charAt(i) != '{' && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
            i++;
        }
        String name = text.substring(nameStart, i);
        if (!wanted.contains(name)) {
            return;
        }
        if (i < to && text.charAt(i) == '{') {
            i = afterLabels(text, i + 1, to);
            if (i < 0) {
                return; // an unterminated label set: not a sample
            }
        }
        while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        int valueStart = i;
        while (i < to && text.charAt(i) != ' ' && text.charAt(i) != '\t' && text.charAt(i) != '\r') {
            i++;
        }
        Double value = number(text.substring(valueStart, i));
        if (value != null && !value.isNaN()) {
            sums.merge(name, value, combine);
        }
    }

    /** The index after the label set's closing brace, or -1. */
    private static int afterLabels(String text, int i, int to) {
        boolean quoted = false;
        while (i < to) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++; // the escaped character cannot end the value
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '}') {
                return i + 1;
            }
            i++;
        }
        return -1;
    }

    private static Double number(String token) {
        switch (token) {
            case "+Inf", "Inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "NaN" -> {
                return Double.NaN;
            }
            default -> {
                try {
                    return Double.parseDouble(token);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
    }
}
