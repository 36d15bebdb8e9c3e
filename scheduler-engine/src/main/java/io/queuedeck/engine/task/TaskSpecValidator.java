package io.queuedeck.engine.task;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a {@link TaskSpec} field by field and completes it. Pure: safe on any thread, so
 * admission runs on the caller's thread and only valid tasks ever reach the scheduler loop.
 */
public final class TaskSpecValidator {
    public static final int MAX_ID_LENGTH = 128;
    static final int MAX_INPUT_CHARS = 4_000_000;
    public static final int MAX_TOKENS_LIMIT = 1_000_000;
    public static final int MAX_METADATA_ENTRIES = 64;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 1024;
    /** Four-digit years: beyond them a deadline is a mistake (one centuries away still counts, as the farthest). */
    static final Instant EARLIEST_DEADLINE = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST_DEADLINE = Instant.parse("9999-12-31T23:59:59Z");
    /** The longest callback URL: 2,048 characters, what common HTTP clients and proxies take for sure. */
    static final int MAX_CALLBACK_URL = 2048;
    /** Characters per token for the prompt estimate: the usual rule of thumb for BPE tokenizers. */
    static final int CHARS_PER_TOKEN = 4;

    /** What an id may hold besides letters and digits; a name (model, tenant, class) may hold '/' too. */
    private static final String ID = "._:-", NAME = "._:/-";

    private TaskSpecValidator() {}

    /** Every problem with {@code spec}; empty when it is valid. */
    public static List<FieldError> errors(TaskSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        if (spec == null) {
            errors.add(new FieldError("", "a task object is required"));
            return errors;
        }
        if (spec.taskId() != null) {
            checkName(errors, "task_id", spec.taskId(), MAX_ID_LENGTH, ID);
        }
        if (spec.model() == null) {
            errors.add(new FieldError("model", "model is required"));
        } else {
            checkName(errors, "model", spec.model(), MAX_ID_LENGTH, NAME);
        }
        if (spec.input() == null) {
            errors.add(new FieldError("input", "input is required"));
        } else if (spec.input().length() > MAX_INPUT_CHARS) {
            errors.add(new FieldError("input", "input must be at most " + MAX_INPUT_CHARS
                    + " characters, got " + spec.input().length()));
        }
        if (spec.priority() != null && (spec.priority() < TaskSpec.MIN_PRIORITY || spec.priority() > TaskSpec.MAX_PRIORITY)) {
            errors.add(new FieldError("priority", "priority must be between " + TaskSpec.MIN_PRIORITY + " and "
                    + TaskSpec.MAX_PRIORITY + ", got " + spec.priority()));
        }
        if (spec.callbackUrl() != null) {
            checkCallbackUrl(errors, spec.callbackUrl());
        }
        if (spec.tenant() != null) {
            checkName(errors, "tenant", spec.tenant(), MAX_METADATA_KEY, NAME);
        }
        if (spec.businessClass() != null) {
            checkName(errors, "business_class", spec.businessClass(), MAX_METADATA_KEY, NAME);
        }
        checkTokens(errors, "max_tokens", spec.maxTokens());
        checkTokens(errors, "prompt_tokens", spec.promptTokens());
        if (spec.deadline() != null && (spec.deadline().isBefore(EARLIEST_DEADLINE) || spec.deadline().isAfter(LATEST_DEADLINE))) {
            errors.add(new FieldError("deadline", "deadline must be between " + EARLIEST_DEADLINE + " and " + LATEST_DEADLINE
                    + ", got " + spec.deadline()));
        }
        if (spec.metadata() != null) {
            checkMetadata(errors, spec.metadata());
        }
        return errors;
    }

    /**
     * Validates {@code spec} and fills what the engine derives: the id (from {@code idSupplier})
     * and the prompt token estimate.
     *
     * @throws InvalidTaskException with every field error, when any
     */
    public static TaskSpec validate(TaskSpec spec, java.util.function.Supplier<String> idSupplier) {
        List<FieldError> errors = errors(spec);
        if (!errors.isEmpty()) {
            throw new InvalidTaskException(errors);
        }
        TaskSpec complete = spec;
        if (complete.taskId() == null) {
            complete = complete.withTaskId(idSupplier.get());
        }
        if (complete.priority() == null) {
            complete = complete.withPriority(TaskSpec.DEFAULT_PRIORITY);
        }
        if (complete.promptTokens() == null) {
            complete = complete.withPromptTokens(estimatePromptTokens(complete.input()));
        }
        String model = SharedNames.TASKS.of(complete.model());
        String tenant = SharedNames.TASKS.of(complete.tenant());
        if (model != complete.model() || tenant != complete.tenant()) {
            complete = complete.withNames(model, tenant); // equal strings, shared while the task waits
        }
        return complete;
    }

    /** What is wrong with {@code tenant} as a task's tenant ("may contain only …"), if anything: a config checks its clients' with it. */
    public static java.util.Optional<String> tenantProblem(String tenant) {
        List<FieldError> errors = new java.util.ArrayList<>();
        checkName(errors, "tenant", tenant, MAX_METADATA_KEY, NAME);
        return errors.stream().map(e -> e.message().substring("tenant ".length())).findFirst();
    }

    /** What is wrong with {@code id} as a task id ("task_id may contain only …"), if anything. */
    public static java.util.Optional<String> idProblem(String id) {
        List<FieldError> errors = new java.util.ArrayList<>();
        checkName(errors, "task_id", id, MAX_ID_LENGTH, ID);
        return errors.stream().map(FieldError::message).findFirst();
    }

    /** Prompt tokens guessed from text length; at least one. */
    public static int estimatePromptTokens(String input) {
        return Math.max(1, (input.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
    }

    private static void checkName(List<FieldError> errors, String field, String value, int max, String allowed) {
        if (value.isBlank()) {
            errors.add(new FieldError(field, field + " must not be blank"));
        } else if (value.length() > max) {
            errors.add(new FieldError(field, field + " must be at most " + max + " characters, got " + value.length()));
        } else if (!only(value, allowed)) {
            errors.add(new FieldError(field, field + " may contain only ASCII letters, digits and " + describe(allowed)
                    + ", got '" + value + "'"));
        }
    }

    /** Whether {@code value} holds only ASCII letters, digits and {@code punctuation}: a loop, not a regex, on every submission. */
    private static boolean only(String value, String punctuation) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || punctuation.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(String allowed) {
        return allowed.equals(ID) ? "'.', '_', ':', '-'" : "'.', '_', ':', '/', '-'";
    }

    /**
     * The range an integer field of a task takes ("between 1 and 1000000"), or null for a field
     * without one: said the same way when the number does not even fit the field's type.
     */
    public static String range(String field) {
        return switch (field) {
            // a filter's bounds and a lane are priorities too
            case "priority", "min_priority", "max_priority", "lane" -> "between " + TaskSpec.MIN_PRIORITY + " and " + TaskSpec.MAX_PRIORITY;
            case "max_tokens", "prompt_tokens" -> "between 1 and " + MAX_TOKENS_LIMIT;
            default -> null;
        };
    }

    private static void checkTokens(List<FieldError> errors, String field, Integer value) {
        if (value != null && (value < 1 || value > MAX_TOKENS_LIMIT)) {
            errors.add(new FieldError(field, field + " must be between 1 and " + MAX_TOKENS_LIMIT + ", got " + value));
        }
    }

    private static void checkCallbackUrl(List<FieldError> errors, String url) {
        if (url.length() > MAX_CALLBACK_URL) {
            errors.add(new FieldError("callback_url", "callback_url must be at most " + MAX_CALLBACK_URL
                    + " characters, got " + url.length()));
            return;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                errors.add(new FieldError("callback_url", "callback_url must be an http or https URL" + got(url)));
            } else if (uri.getHost() == null) {
                errors.add(new FieldError("callback_url", "callback_url must name a host" + got(url)));
            }
        } catch (URISyntaxException e) {
            errors.add(new FieldError("callback_url", "callback_url is not a valid URL: " + e.getReason()));
        }
    }

    /** The URL echoed back, unless it may hold credentials ({@code user:password@}): those are never repeated. */
    private static String got(String url) {
        return url.indexOf('@') >= 0 ? "" : ", got '" + url + "'";
    }

    /** Whether {@code text} has no control, formatting, separator, lone surrogate or unassigned character. */
    public static boolean printable(String text) {
        return text.codePoints().noneMatch(VisibleText::invisible);
    }

    /** A character as it can be echoed in a message: unprintable ones by their code (a backslash, u and four hex digits). */
    private static String visible(int c) {
        return VisibleText.of(Character.toString(c));
    }

    private static void checkMetadata(List<FieldError> errors, Map<String, String> metadata) {
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            errors.add(new FieldError("metadata", "metadata may hold at most " + MAX_METADATA_ENTRIES
                    + " entries, got " + metadata.size()));
            return;
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String key = entry.getKey();
            if (key.isEmpty()) {
                errors.add(new FieldError("metadata", "metadata keys must be 1 to " + MAX_METADATA_KEY + " characters, got ''"));
            } else if (key.length() > MAX_METADATA_KEY) {
                // its start is enough to find it: the whole key came back, as long as the body allows (a megabyte)
                errors.add(new FieldError("metadata", "metadata keys must be 1 to " + MAX_METADATA_KEY + " characters, got "
                        + key.length() + ": '" + key.codePoints().limit(MAX_METADATA_KEY).mapToObj(TaskSpecValidator::visible)
                        .collect(Collectors.joining()) + "…'"));
            } else if (!printable(key)) {
                // A key is shown in the console and becomes part of a field path in errors (metadata.<key>).
                errors.add(new FieldError("metadata", "metadata keys must be printable (no control or formatting"
                        + " characters), got '" + key.codePoints().mapToObj(TaskSpecValidator::visible)
                        .collect(Collectors.joining()) + "'"));
            } else if (entry.getValue() == null) {
                errors.add(new FieldError("metadata." + key, "metadata values must be strings, got null"));
            } else if (entry.getValue().length() > MAX_METADATA_VALUE) {
                errors.add(new FieldError("metadata." + key, "metadata values must be at most "
                        + MAX_METADATA_VALUE + " characters, got " + entry.getValue().length()));
            }
        }
    }
}
