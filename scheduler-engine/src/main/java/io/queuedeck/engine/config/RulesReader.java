package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.control.PriorityRule;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.task.TaskSpecValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code priority_rules}: a list of {name, match: {business_class, tenant, model,
 * deadline_within, weight_above}, priority}, checked entry by entry with key paths.
 */
final class RulesReader {
    private RulesReader() {}

    static RuleSet read(Section top) {
        List<PriorityRule> rules = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (Section r : top.sections("priority_rules")) {
            int before = r.problemCount();
            String name = r.string("name");
            if (name == null && r.problemCount() == before) {
                r.problem(r.at("name"), "is required");
            } else if (name != null && names.putIfAbsent(name, r.path()) != null) {
                r.problem(r.at("name"), "'" + name + "' is already the name of " + names.get(name));
            } else if (name != null && (name.equals("explicit") || name.equals("default"))) {
                r.problem(r.at("name"), "'" + name + "' is reserved: tasks show it when no rule classified them");
            } else if (name != null && (name.length() > 64 || name.isBlank() || !TaskSpecValidator.printable(name))) {
                // the name is shown on every task it classifies, in the console and the audit trail
                r.problem(r.at("name"), "must be 1 to 64 printable characters (no control or formatting characters)");
            }
            Integer priority = r.integer("priority", 0, 9);
            if (priority == null && !r.has("priority")) {
                r.problem(r.at("priority"), "is required (0 most urgent to 9)");
            }
            Section match = r.section("match");
            Set<String> classes = null;
            Set<String> tenants = null;
            Set<String> models = null;
            Duration within = null;
            Double weightAbove = null;
            if (match != null) {
                classes = words(match, "business_class");
                tenants = words(match, "tenant");
                models = words(match, "model");
                within = match.duration("deadline_within");
                weightAbove = number(match, "weight_above");
                match.finish();
            }
            r.finish();
            if (r.problemCount() == before) {
                rules.add(new PriorityRule(name, classes, tenants, models, within, weightAbove, priority));
            }
        }
        return new RuleSet(rules);
    }

    /** One word or a list of them. */
    private static Set<String> words(Section s, String key) {
        JsonNode value = s.raw(key);
        if (value == null) {
            return null;
        }
        if (value.isValueNode()) {
            String one = s.string(key);
            return one == null ? null : Set.of(one);
        }
        List<String> list = s.strings(key);
        if (list == null) {
            return null;
        }
        if (list.isEmpty()) {
            s.problem(s.at(key), "must name at least one value (leave the key out to match any)");
            return null;
        }
        return new LinkedHashSet<>(list);
    }

    private static Double number(Section s, String key) {
        JsonNode value = s.raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            s.problem(s.at(key), "must be a number, got " + Section.shown(value));
            return null;
        }
        return value.asDouble();
    }
}
