package io.queuedeck.engine.store;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.DecimalUtils;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.task.TaskSpec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * A {@link StoredTask} as the JSON every store keeps: text in Redis, UTF-8 bytes in the embedded files.
 * Written field by field through Jackson's streaming generator, byte for byte what the data-binding
 * mapper writes (a property test holds the two together): the store writer encodes every record it
 * commits, and binding a record calls each accessor by reflection (decision 0068). Read by binding.
 */
final class StoredTaskJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule()).build();
    private static final ObjectReader READER = MAPPER.readerFor(StoredTask.class);

    private StoredTaskJson() {}

    static String encode(StoredTask task) {
        StringWriter text = new StringWriter(512);
        try (JsonGenerator out = MAPPER.getFactory().createGenerator(text)) {
            write(out, task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    static byte[] toBytes(StoredTask task) {
        ByteArrayBuilder bytes = new ByteArrayBuilder(512);
        try (JsonGenerator out = MAPPER.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            write(out, task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** In the mapper's order: the record's components; the spec's in snake case and without nulls. */
    private static void write(JsonGenerator out, StoredTask task) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", task.id());
        out.writeFieldName("spec");
        write(out, task.spec());
        out.writeStringField("state", task.state().name());
        out.writeNumberField("priority", task.priority());
        out.writeNumberField("sequence", task.sequence());
        out.writeNumberField("rank", task.rank());
        out.writeNumberField("outputTokens", task.outputTokens());
        out.writeNumberField("attempts", task.attempts());
        out.writeStringField("error", task.error());
        out.writeStringField("output", task.output());
        out.writeFieldName("expiresAt");
        instant(out, task.expiresAt());
        out.writeBooleanField("handedOn", task.handedOn());
        out.writeEndObject();
    }

    private static void write(JsonGenerator out, TaskSpec spec) throws IOException {
        out.writeStartObject();
        string(out, "task_id", spec.taskId());
        string(out, "model", spec.model());
        string(out, "input", spec.input());
        number(out, "priority", spec.priority());
        string(out, "callback_url", spec.callbackUrl());
        string(out, "tenant", spec.tenant());
        string(out, "business_class", spec.businessClass());
        if (spec.deadline() != null) {
            out.writeFieldName("deadline");
            instant(out, spec.deadline());
        }
        number(out, "max_tokens", spec.maxTokens());
        number(out, "prompt_tokens", spec.promptTokens());
        if (spec.metadata() != null) {
            out.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> entry : spec.metadata().entrySet()) {
                out.writeStringField(entry.getKey(), entry.getValue());
            }
            out.writeEndObject();
        }
        TaskSpec.Classification classification = spec.classification();
        if (classification != null) {
            out.writeObjectFieldStart("classification");
            out.writeStringField("rule", classification.rule());
            out.writeStringField("release", classification.release());
            out.writeStringField("reason", classification.reason());
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    private static void string(JsonGenerator out, String name, String value) throws IOException {
        if (value != null) {
            out.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator out, String name, Integer value) throws IOException {
        if (value != null) {
            out.writeNumberField(name, value.intValue());
        }
    }

    /** As the time module writes an instant by default: decimal seconds with nanoseconds. */
    private static void instant(JsonGenerator out, Instant instant) throws IOException {
        if (instant == null) {
            out.writeNull();
        } else {
            out.writeNumber(DecimalUtils.toBigDecimal(instant.getEpochSecond(), instant.getNano()));
        }
    }

    /** @throws IllegalArgumentException when {@code json} is not a task record */
    static StoredTask fromBytes(byte[] json) {
        try {
            return READER.readValue(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when {@code json} is not a task record */
    static StoredTask decode(String json) {
        try {
            return READER.readValue(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
