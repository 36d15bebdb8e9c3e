package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The streamed record is byte for byte what data binding writes, so records of every version read alike. */
class StoredTaskJsonProperties {
    private static final ObjectMapper BINDING = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    @Property(tries = 500)
    void streamedRecordIsTheBoundRecord(@ForAll("tasks") StoredTask task) throws Exception {
        byte[] streamed = StoredTaskJson.toBytes(task);
        assertThat(streamed).isEqualTo(BINDING.writeValueAsBytes(task));
        assertThat(StoredTaskJson.encode(task)).isEqualTo(BINDING.writeValueAsString(task));
        assertThat(StoredTaskJson.fromBytes(streamed)).isEqualTo(task);
        assertThat(StoredTaskJson.decode(StoredTaskJson.encode(task))).isEqualTo(task);
    }

    @Provide
    Arbitrary<StoredTask> tasks() {
        // every char but lone surrogates (a record with one is written alike, but no parser reads it back), and some pairs
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff').ofMaxLength(12),
                Arbitraries.of("\ud83d\ude00", "\u00e9\"\\/\n", "llama-2-7b"));
        Arbitrary<String> maybe = text.injectNull(0.3);
        Arbitrary<Integer> number = Arbitraries.integers().injectNull(0.3);
        Arbitrary<Instant> instant = Arbitraries.longs().between(-1L << 40, 1L << 40)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)))
                .edgeCases(c -> c.add(Instant.EPOCH)).injectNull(0.3);
        Arbitrary<Map<String, String>> metadata = Arbitraries.maps(text, maybe).ofMaxSize(3).injectNull(0.4);
        Arbitrary<TaskSpec.Classification> classification = Builders.withBuilder(() -> new Object[3])
                .use(maybe).in((a, v) -> { a[0] = v; return a; })
                .use(maybe).in((a, v) -> { a[1] = v; return a; })
                .use(maybe).in((a, v) -> { a[2] = v; return a; })
                .build(a -> new TaskSpec.Classification((String) a[0], (String) a[1], (String) a[2])).injectNull(0.4);
        Arbitrary<TaskSpec> spec = Builders.withBuilder(() -> new Object[12])
                .use(maybe).in((a, v) -> set(a, 0, v)).use(maybe).in((a, v) -> set(a, 1, v))
                .use(maybe).in((a, v) -> set(a, 2, v)).use(number).in((a, v) -> set(a, 3, v))
                .use(maybe).in((a, v) -> set(a, 4, v)).use(maybe).in((a, v) -> set(a, 5, v))
                .use(maybe).in((a, v) -> set(a, 6, v)).use(instant).in((a, v) -> set(a, 7, v))
                .use(number).in((a, v) -> set(a, 8, v)).use(number).in((a, v) -> set(a, 9, v))
                .use(metadata).in((a, v) -> set(a, 10, v)).use(classification).in((a, v) -> set(a, 11, v))
                .build(StoredTaskJsonProperties::spec);
        return Builders.withBuilder(() -> new Object[12])
                .use(text).in((a, v) -> set(a, 0, v)).use(spec).in((a, v) -> set(a, 1, v))
                .use(Arbitraries.of(TaskState.class)).in((a, v) -> set(a, 2, v))
                .use(Arbitraries.integers()).in((a, v) -> set(a, 3, v))
                .use(Arbitraries.longs()).in((a, v) -> set(a, 4, v)).use(Arbitraries.longs()).in((a, v) -> set(a, 5, v))
                .use(Arbitraries.integers()).in((a, v) -> set(a, 6, v)).use(Arbitraries.integers()).in((a, v) -> set(a, 7, v))
                .use(maybe).in((a, v) -> set(a, 8, v)).use(maybe).in((a, v) -> set(a, 9, v))
                .use(instant).in((a, v) -> set(a, 10, v)).use(Arbitraries.of(true, false)).in((a, v) -> set(a, 11, v))
                .build(a -> new StoredTask((String) a[0], (TaskSpec) a[1], (TaskState) a[2], (Integer) a[3], (Long) a[4],
                        (Long) a[5], (Integer) a[6], (Integer) a[7], (String) a[8], (String) a[9], (Instant) a[10],
                        (Boolean) a[11]));
    }

    private static Object[] set(Object[] values, int index, Object value) {
        values[index] = value;
        return values;
    }

    @SuppressWarnings("unchecked")
    private static TaskSpec spec(Object[] a) {
        return new TaskSpec((String) a[0], (String) a[1], (String) a[2], (Integer) a[3], (String) a[4], (String) a[5],
                (String) a[6], (Instant) a[7], (Integer) a[8], (Integer) a[9], (Map<String, String>) a[10],
                (TaskSpec.Classification) a[11]);
    }
}
