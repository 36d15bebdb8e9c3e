package io.queuedeck.console.control;

import io.queuedeck.console.alerts.AlertThresholds;
import io.queuedeck.engine.config.AlertSettings;
import io.queuedeck.engine.config.ConfigException;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The Control screen's alert thresholds as editable text, one field per key of the config file's
 * {@code alerts} section. Applying writes the section into the running config's text and sends
 * that through the control plane, so the file, the API and the console agree; a bad value is
 * refused by the same reader, with its key path. The latency thresholds are one field per tier
 * of the engine's table (which changes only at a restart).
 */
public final class AlertsForm {
    /** Field key (the config key under {@code alerts}) → its text, in the order shown. */
    private final Map<String, StringProperty> fields = new LinkedHashMap<>();
    private final Tiers table;

    /** A form for an engine running {@code table}. */
    public AlertsForm(Tiers table) {
        this.table = Objects.requireNonNull(table, "table");
        field("oldest_wait");
        for (Tier tier : table.list()) {
            field(P99 + tier.name());
        }
        for (String key : new String[] {"sustained_for", "dead_letters", "dead_letter_window", "gpu_down", "saturated_for", "hold"}) {
            field(key);
        }
        show(AlertThresholds.DEFAULTS);
    }

    private static final String P99 = "p99_latency.";

    private void field(String key) {
        fields.put(key, new SimpleStringProperty(this, key, ""));
    }

    /** What a field's key means beyond its name: a latency key's tier and classes; empty for the rest. */
    public String hint(String key) {
        if (!key.startsWith(P99)) {
            return "";
        }
        Tier tier = table.named(key.substring(P99.length())).orElseThrow();
        return " (tier " + tier.name() + ": classes " + (tier.first() == tier.last() ? "P" + tier.first() : "P" + tier.first() + "-P" + tier.last()) + ")";
    }

    /** The fields, by config key under {@code alerts}. */
    public Map<String, StringProperty> fields() {
        return fields;
    }

    /** Fills the fields from thresholds in force. */
    public void show(AlertThresholds t) {
        fields.get("oldest_wait").set(AlertThresholds.text(t.oldestWait()));
        for (Tier tier : table.list()) {
            fields.get(P99 + tier.name()).set(AlertThresholds.text(t.p99For(tier, table)));
        }
        fields.get("sustained_for").set(AlertThresholds.text(t.sustainedFor()));
        fields.get("dead_letters").set(Integer.toString(t.deadLetters()));
        fields.get("dead_letter_window").set(AlertThresholds.text(t.deadLetterWindow()));
        fields.get("gpu_down").set(Boolean.toString(t.gpuDown()));
        fields.get("saturated_for").set(AlertThresholds.text(t.saturatedFor()));
        fields.get("hold").set(AlertThresholds.text(t.hold()));
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
            if (key.startsWith(P99)) {
                if (!inP99) {
                    yaml.append("  p99_latency:\n");
                    inP99 = true;
                }
                yaml.append("    ").append(key.substring(P99.length())).append(": ").append(quoted(value)).append('\n');
            } else {
                yaml.append("  ").append(key).append(": ").append(quoted(value)).append('\n');
            }
        }
        AlertThresholds next = AlertThresholds.from(AlertSettings.read("alerts", yaml.toString(), table));
        return next.replaceIn(runningText, table);
    }

    /**
     * {@code refused}'s problems as the form's fields name them: the reader's source name and the
     * line of the text built from the fields mean nothing to someone looking at the fields.
     */
    public static List<String> problems(ConfigException refused) {
        return refused.problems().stream()
                .map(p -> p.replaceFirst("^alerts: ", "").replaceFirst(" \\(line \\d+\\)$", ""))
                .toList();
    }

    /** A value as YAML: numbers and booleans as they are (so the reader checks their type), the rest quoted. */
    private static String quoted(String value) {
        return value.matches("-?\\d+|true|false") ? value : "'" + value.replace("'", "''") + "'";
    }
}
