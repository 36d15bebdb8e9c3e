package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopInOrderTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void aPartThatThrows_theOnesAfterItCloseAnyway_andTheStopSaysWhich() {
        List<String> closed = new ArrayList<>();
        boolean clean = StopInOrder.close(List.of(
                new StopInOrder.Part("the snapshot feed", () -> closed.add("feed")),
                new StopInOrder.Part("the REST API", () -> {
                    throw new IllegalStateException("port stuck");
                }),
                new StopInOrder.Part("the callback store", null), // never started
                new StopInOrder.Part("the engine and its task store", () -> closed.add("engine"))), err);

        assertThat(clean).isFalse();
        assertThat(closed).containsExactly("feed", "engine");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .isEqualTo("queuedeck-console: closing the REST API failed: java.lang.IllegalStateException: port stuck"
                        + System.lineSeparator());
    }

    @Test
    void everyPartCloses_clean_nothingPrinted() {
        List<String> closed = new ArrayList<>();
        assertThat(StopInOrder.close(List.of(new StopInOrder.Part("a", () -> closed.add("a")),
                new StopInOrder.Part("b", () -> closed.add("b"))), err)).isTrue();
        assertThat(closed).containsExactly("a", "b");
        assertThat(printed.size()).isZero();
    }
}
