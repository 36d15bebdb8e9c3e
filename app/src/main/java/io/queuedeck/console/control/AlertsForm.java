package io.queuedeck.console.control;

import io.queuedeck.console.alerts.AlertThresholds;
import io.queuedeck.engine.config.AlertSettings;
import io.queuedeck.engine.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The Control screen's alert thresholds as editable text, one field per key of the config file's
 * {@code alerts} section. Applying writes the section into the running config's text and sends
 * that through the control plane, so the file, the API and the console agree; a bad value is
 * refused by the same reader, with its key path.
 */
public final class AlertsForm {
    /** Field key (the config key under {@code alerts}) → its text, in the order shown. */
    private final Map<String, StringProperty> fields = new LinkedHashMap<>();

    public AlertsForm() {
        for (String key : List.of("oldest_wait", "p99_latency.core", "p99_latency.normal", "p99_latency.batch", "sustained_for",
                "dead_letters", "dead_letter_window", "gpu_down", "saturated_for", "hold")) {
            fields.put(key, new SimpleStringProperty(this, key, ""));
        }
        show(AlertThresholds.DEFAULTS);
    }

    /** The fields, by config key under {@code alerts}. */
    public Map<String, StringProperty> fields() {
        return fields;
    }

    /** Fills the fields from thresholds in force. */
    public void show(AlertThresholds t) {
        String[] lines = t.toYaml().split("\n");
        List<String> values = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            String value = line.substring(colon + 1).trim();
            if (!value.isEmpty()) {
                values.add(value);
            }
        }
        int i = 0;
        for (StringProperty field : fields.values()) {
            field.set(values.get(i++));
        }
    }

    /**
     * {@code runningText} with its alerts section set to the fields.
     *
     * @throws ConfigException with every bad field, by key path
     */
    public String applyTo(String runningText) {
        StringBuilder yaml = new StringBuilder("alerts:\n");
        boolean inP99 = false;
        for (Map.Entry<String, StringProperty> e : fields.entrySet()) {
            String key = e.getKey();
            String value = e.getValue().get() == null ? "" : e.getValue().get().trim();
            if (key.startsWith("p99_latency.")) {
                if (!inP99) {
                    yaml.append("  p99_latency:\n");
                    inP99 = true;
                }
                yaml.append("    ").append(key.substring("p99_latency.".length())).append(": ").append(quoted(value)).append('\n');
            } else {
                yaml.append("  ").append(key).append(": ").append(quoted(value)).append('\n');
            }
        }
        AlertThresholds next = AlertThresholds.from(AlertSettings.read("alerts", yaml.toString()));
        return next.replaceIn(runningText);
    }

    /** A value as YAML: numbers and booleans as they are (so the reader checks their type), the rest quoted. */
    private static String quoted(String value) {
        return value.matches("-?\\d+|true|false") ? value : "'" + value.replace("'", "''") + "'";
    }
}
