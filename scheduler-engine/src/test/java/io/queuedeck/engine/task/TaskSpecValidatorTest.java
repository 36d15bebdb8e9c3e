package io.queuedeck.engine.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TaskSpecValidatorTest {
    private static final String MODEL = "llama-2-7b";

    /** A spec with every field set to a valid value; each case below breaks exactly one. */
    private static TaskSpec valid() {
        return new TaskSpec("task-1", MODEL, "Hello there", 3, "https://example.com/hook", "acme", "interactive",
                Instant.parse("2026-01-01T00:00:10Z"), 64, 12, Map.of("k", "v"));
    }

    private static TaskSpec with(String field, Object value) {
        TaskSpec v = valid();
        return switch (field) {
            case "task_id" -> new TaskSpec((String) value, v.model(), v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                    v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "model" -> new TaskSpec(v.taskId(), (String) value, v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                    v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "input" -> new TaskSpec(v.taskId(), v.model(), (String) value, v.priority(), v.callbackUrl(), v.tenant(),
                    v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "priority" -> new TaskSpec(v.taskId(), v.model(), v.input(), (Integer) value, v.callbackUrl(), v.tenant(),
                    v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "callback_url" -> new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), (String) value, v.tenant(),
                    v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "tenant" -> new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), v.callbackUrl(), (String) value,
                    v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "business_class" -> new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                    (String) value, v.deadline(), v.maxTokens(), v.promptTokens(), v.metadata());
            case "max_tokens" -> new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                    v.businessClass(), v.deadline(), (Integer) value, v.promptTokens(), v.metadata());
            case "prompt_tokens" -> new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                    v.businessClass(), v.deadline(), v.maxTokens(), (Integer) value, v.metadata());
            case "deadline" -> new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                    v.businessClass(), java.time.Instant.parse((String) value), v.maxTokens(), v.promptTokens(), v.metadata());
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static TaskSpec withMetadata(Map<String, String> metadata) {
        TaskSpec v = valid();
        return new TaskSpec(v.taskId(), v.model(), v.input(), v.priority(), v.callbackUrl(), v.tenant(),
                v.businessClass(), v.deadline(), v.maxTokens(), v.promptTokens(), metadata);
    }

    static Stream<Arguments> invalidFields() {
        return Stream.of(
                Arguments.of("task_id", "", "task_id must not be blank"),
                Arguments.of("task_id", "   ", "task_id must not be blank"),
                Arguments.of("task_id", "a".repeat(129), "task_id must be at most 128 characters, got 129"),
                Arguments.of("task_id", "has space", "task_id may contain only ASCII letters, digits and '.', '_', ':', '-', got 'has space'"),
                Arguments.of("task_id", "a/b", "task_id may contain only ASCII letters, digits and '.', '_', ':', '-', got 'a/b'"),
                Arguments.of("model", null, "model is required"),
                Arguments.of("model", "", "model must not be blank"),
                Arguments.of("model", "m".repeat(129), "model must be at most 128 characters, got 129"),
                Arguments.of("model", "llama 2", "model may contain only ASCII letters, digits and '.', '_', ':', '/', '-', got 'llama 2'"),
                Arguments.of("input", null, "input is required"),
                Arguments.of("input", "y".repeat(4_000_001), "input must be at most 4000000 characters, got 4000001"),
                Arguments.of("priority", 12, "priority must be between 0 and 9, got 12"),
                Arguments.of("priority", -1, "priority must be between 0 and 9, got -1"),
                Arguments.of("priority", 10, "priority must be between 0 and 9, got 10"),
                Arguments.of("callback_url", "ftp://example.com/x", "callback_url must be an http or https URL, got 'ftp://example.com/x'"),
                Arguments.of("callback_url", "example.com/hook", "callback_url must be an http or https URL, got 'example.com/hook'"),
                Arguments.of("callback_url", "http:///path", "callback_url must name a host, got 'http:///path'"),
                Arguments.of("callback_url", "http://exa mple.com", "callback_url is not a valid URL: Illegal character in authority"),
                Arguments.of("callback_url", "https://example.com/" + "p".repeat(2_029), "callback_url must be at most 2048 characters, got 2049"),
                Arguments.of("deadline", "-999999999-01-01T00:00:00Z", "deadline must be between 0001-01-01T00:00:00Z and"
                        + " 9999-12-31T23:59:59Z, got -999999999-01-01T00:00:00Z"),
                Arguments.of("deadline", "+10000-01-01T00:00:00Z", "deadline must be between 0001-01-01T00:00:00Z and"
                        + " 9999-12-31T23:59:59Z, got +10000-01-01T00:00:00Z"),
                Arguments.of("tenant", "", "tenant must not be blank"),
                Arguments.of("tenant", "t".repeat(65), "tenant must be at most 64 characters, got 65"),
                Arguments.of("tenant", "acme corp", "tenant may contain only ASCII letters, digits and '.', '_', ':', '/', '-', got 'acme corp'"),
                Arguments.of("business_class", " ", "business_class must not be blank"),
                Arguments.of("business_class", "b".repeat(65), "business_class must be at most 64 characters, got 65"),
                Arguments.of("business_class", "batch!", "business_class may contain only ASCII letters, digits and '.', '_', ':', '/', '-', got 'batch!'"),
                Arguments.of("max_tokens", 0, "max_tokens must be between 1 and 1000000, got 0"),
                Arguments.of("max_tokens", -5, "max_tokens must be between 1 and 1000000, got -5"),
                Arguments.of("max_tokens", 1_000_001, "max_tokens must be between 1 and 1000000, got 1000001"),
                Arguments.of("prompt_tokens", 0, "prompt_tokens must be between 1 and 1000000, got 0"),
                Arguments.of("prompt_tokens", 1_000_001, "prompt_tokens must be between 1 and 1000000, got 1000001"));
    }

    @Test
    void errors_callbackUrlWithCredentials_isNotRepeated() {
        List<FieldError> errors = TaskSpecValidator.errors(with("callback_url", "ftp://bob:hunter2@example.com/x"));

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("callback_url");
            assertThat(e.message()).isEqualTo("callback_url must be an http or https URL").doesNotContain("hunter2");
        });
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidFields")
    void errors_oneInvalidField_namesTheFieldWithMessage(String field, Object value, String message) {
        List<FieldError> errors = TaskSpecValidator.errors(with(field, value));

        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().field()).isEqualTo(field);
        assertThat(errors.getFirst().message()).startsWith(message);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidFields")
    void validate_oneInvalidField_throwsWithThatFieldError(String field, Object value, String message) {
        InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class,
                () -> TaskSpecValidator.validate(with(field, value), () -> "generated"));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.message()).startsWith(message);
        });
        assertThat(e).hasMessageStartingWith(message);
    }

    static Stream<Arguments> invalidMetadata() {
        Map<String, String> tooMany = new HashMap<>();
        IntStream.range(0, 65).forEach(i -> tooMany.put("k" + i, "v"));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("owner", null);
        return Stream.of(
                Arguments.of(tooMany, "metadata", "metadata may hold at most 64 entries, got 65"),
                Arguments.of(Map.of("", "v"), "metadata", "metadata keys must be 1 to 64 characters, got ''"),
                Arguments.of(Map.of("k".repeat(65), "v"), "metadata", "metadata keys must be 1 to 64 characters, got 65: '" + "k".repeat(64) + "…'"),
                // the key is not echoed whole: a body's megabyte came back in the error
                Arguments.of(Map.of("\u0000" + "k".repeat(40_000), "v"), "metadata",
                        "metadata keys must be 1 to 64 characters, got 40001: '\\u0000" + "k".repeat(63) + "…'"),
                Arguments.of(Map.of("a\u0000b", "v"), "metadata", "metadata keys must be printable (no control or formatting characters), got 'a\\u0000b'"),
                Arguments.of(Map.of("zero\u200Bwidth", "v"), "metadata", "metadata keys must be printable (no control or formatting characters), got 'zero\\u200Bwidth'"),
                Arguments.of(nullValue, "metadata.owner", "metadata values must be strings, got null"),
                Arguments.of(Map.of("owner", "v".repeat(1025)), "metadata.owner", "metadata values must be at most 1024 characters, got 1025"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("invalidMetadata")
    void errors_invalidMetadata_namesTheEntryWithMessage(Map<String, String> metadata, String field, String message) {
        assertThat(TaskSpecValidator.errors(withMetadata(metadata))).containsExactly(new FieldError(field, message));
    }

    @Test
    void errors_validSpec_none() {
        assertThat(TaskSpecValidator.errors(valid())).isEmpty();
        Map<String, String> full = new HashMap<>();
        IntStream.range(0, 64).forEach(i -> full.put("k" + i, "v".repeat(1024)));
        assertThat(TaskSpecValidator.errors(withMetadata(full))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"task_id, a.b_c:d-9", "model, meta/llama-2-7b:q4", "priority, 0", "priority, 9",
            "max_tokens, 1", "max_tokens, 1000000", "prompt_tokens, 1", "callback_url, http://localhost:8080/cb"})
    void errors_boundaryValues_accepted(String field, String value) {
        Object typed = switch (field) {
            case "priority", "max_tokens", "prompt_tokens" -> Integer.valueOf(value);
            default -> value;
        };
        assertThat(TaskSpecValidator.errors(with(field, typed))).isEmpty();
    }

    @Test
    void errors_severalInvalidFields_reportsEveryOneInFieldOrder() {
        TaskSpec spec = new TaskSpec("bad id", null, null, 12, "ftp://x", "", "ok", null, 0, 2_000_000,
                Map.of("", "v"));

        List<FieldError> errors = TaskSpecValidator.errors(spec);

        assertThat(errors).extracting(FieldError::field).containsExactly(
                "task_id", "model", "input", "priority", "callback_url", "tenant", "max_tokens", "prompt_tokens",
                "metadata");
        assertThat(errors).contains(new FieldError("priority", "priority must be between 0 and 9, got 12"));
    }

    @Test
    void validate_severalInvalidFields_exceptionCarriesAllAndSaysHowManyMore() {
        TaskSpec spec = new TaskSpec(null, null, "hi", 12, null, null, null, null, 0, null, null);

        assertThatThrownBy(() -> TaskSpecValidator.validate(spec, () -> "id"))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field).containsExactly("model", "priority", "max_tokens"))
                .hasMessage("model is required (and 2 more)");
    }

    @Test
    void errors_nullSpec_oneErrorSayingATaskIsRequired() {
        assertThat(TaskSpecValidator.errors(null)).containsExactly(new FieldError("", "a task object is required"));
    }

    @Test
    void validate_minimalSpec_fillsIdPriorityAndPromptEstimate() {
        TaskSpec minimal = new TaskSpec(null, MODEL, "x".repeat(41), null, null, null, null, null, null, null, null);

        TaskSpec complete = TaskSpecValidator.validate(minimal, () -> "generated-7");

        assertThat(complete.taskId()).isEqualTo("generated-7");
        assertThat(complete.priority()).isEqualTo(5);
        assertThat(complete.promptTokens()).isEqualTo(11); // 41 chars / 4, rounded up
        assertThat(complete.maxTokens()).isNull();
        assertThat(complete.model()).isEqualTo(MODEL);
        assertThat(complete.input()).isEqualTo(minimal.input());
    }

    @Test
    void validate_completeSpec_keepsEveryGivenValueAndGeneratesNoId() {
        TaskSpec spec = valid();

        TaskSpec complete = TaskSpecValidator.validate(spec, () -> {
            throw new AssertionError("no id may be generated for a spec that has one");
        });

        assertThat(complete).isEqualTo(spec);
    }

    @ParameterizedTest(name = "{0} chars -> {1} tokens")
    @CsvSource({"0, 1", "1, 1", "3, 1", "4, 1", "5, 2", "8, 2", "9, 3", "4000, 1000", "4001, 1001"})
    void estimatePromptTokens_inputLength_quarterRoundedUpAtLeastOne(int chars, int tokens) {
        assertThat(TaskSpecValidator.estimatePromptTokens("z".repeat(chars))).isEqualTo(tokens);
    }

    @Test
    void validate_equalModelAndTenantNames_sharesOneInstanceOfEach() {
        // new String(...): equal names from two requests, as two JSON bodies parse them
        TaskSpec first = valid().withNames(new String(MODEL), new String("tenant-shared"));
        TaskSpec second = valid().withNames(new String(MODEL), new String("tenant-shared"));
        assertThat(first.model()).isNotSameAs(second.model());

        TaskSpec a = TaskSpecValidator.validate(first, () -> "a");
        TaskSpec b = TaskSpecValidator.validate(second, () -> "b");

        assertThat(a.model()).isSameAs(b.model()).isEqualTo(MODEL);
        assertThat(a.tenant()).isSameAs(b.tenant()).isEqualTo("tenant-shared");
        assertThat(a).isEqualTo(first);
    }

    @Test
    void sharedNames_full_keepsNewNamesAsGivenAndStaysBounded() {
        SharedNames names = new SharedNames(3);
        String early = names.of(new String("early"));
        names.of("b");
        names.of("c");
        String late = new String("late");

        assertThat(names.of(new String("early"))).isSameAs(early); // known names are still shared
        assertThat(names.of(late)).isSameAs(late);
        assertThat(names.of(new String("late"))).isNotSameAs(late); // not added: the table is full
    }
}
