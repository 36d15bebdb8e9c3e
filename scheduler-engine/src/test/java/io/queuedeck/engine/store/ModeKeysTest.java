package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Instance holds read back from their text pairs (decision 0118). */
class ModeKeysTest {

    @Test
    void aHoldThatDoesNotRead_isLeftOut_andTheStoreStillLoads() {
        StoreContents.InstanceHold offline = new StoreContents.InstanceHold("m", "", true, false);
        StoreContents contents = ModeKeys.contents(List.of(), Map.of(
                ModeKeys.instance(2), ModeKeys.hold(offline),
                "instance:1", "garbage",
                "instance:x", ModeKeys.hold(offline),
                "instance:99999999999", ModeKeys.hold(offline),
                ModeKeys.instance(3), ModeKeys.hold(new StoreContents.InstanceHold("m", "", false, false))));

        assertThat(contents.instanceHolds()).containsOnly(Map.entry(2, offline));
    }

    @Test
    void aModelWithTheSeparatorInIt_readsBackWhole() {
        StoreContents.InstanceHold hold = new StoreContents.InstanceHold("org/model|v2", "http://10.0.0.5:8000", false, true);

        StoreContents contents = ModeKeys.contents(List.of(), Map.of(ModeKeys.instance(0), ModeKeys.hold(hold)));

        assertThat(contents.instanceHolds()).containsOnly(Map.entry(0, hold));
    }
}
