package io.queuedeck.console.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import org.junit.jupiter.api.Test;
import java.time.Duration;

/** What the flood fields make, and each bad field named in the refusal. */
class CatalogueFaultsTest {

    @Test
    void flood_fromTheFields_isATenantFloodOnThatTenantForThatLong() {
        FaultSpec spec = CatalogueFaults.flood(" acme ", "12.5", "90");

        assertThat(spec.kind()).isEqualTo(FaultKind.TENANT_FLOOD);
        assertThat(spec.radius().toString()).isEqualTo("tenant:acme");
        assertThat(spec.parameter("rate")).isEqualTo(12.5);
        assertThat(spec.duration()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void flood_badFields_areRefusedNamingTheField() {
        assertThatThrownBy(() -> CatalogueFaults.flood("", "10", "60")).hasMessageStartingWith("tenant:");
        assertThatThrownBy(() -> CatalogueFaults.flood("acme corp", "10", "60")) // the field is Tenant here, not "target"
                .hasMessageStartingWith("tenant: a tenant name may hold only ASCII letters");
        assertThatThrownBy(() -> CatalogueFaults.flood("acme", "lots", "60")).hasMessage("rate: a number from 0.1 to 10000, got 'lots'");
        assertThatThrownBy(() -> CatalogueFaults.flood("acme", "0", "60")).hasMessage("rate: from 0.1 to 10000, got 0");
        assertThatThrownBy(() -> CatalogueFaults.flood("acme", "10", "7200")).hasMessage("seconds: from 1 to 3600, got 7200");
        assertThatThrownBy(() -> CatalogueFaults.flood("acme", "10", "NaN")).hasMessageStartingWith("seconds: from 1 to 3600");
    }
}
