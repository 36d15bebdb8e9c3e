package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Decision 0075: two tenants never share a task id, whatever names and ids they choose (tenant names
 * may hold '/', ':' and '_', ids ':' and '_'), and an id the server answered names the same task again.
 */
class TenantIdNamespaceProperties {
    @Provide
    Arbitrary<String> tenants() {
        return Arbitraries.strings().withChars("ab_:/.-").ofMinLength(1).ofMaxLength(6);
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withChars("ab_:.-").ofMinLength(1).ofMaxLength(8);
    }

    @Property(tries = 3000)
    void differentTenants_neverTheSameStoredId(@ForAll("tenants") String one, @ForAll("tenants") String other,
                                               @ForAll("ids") String id, @ForAll("ids") String otherId) {
        Assume.that(!one.equals(other));

        assertThat(TaskAccess.scoped(one, id)).isNotEqualTo(TaskAccess.scoped(other, otherId));
    }

    @Property(tries = 1000)
    void aScopedId_isItsOwnScopedId_andHoldsOnlyIdCharacters(@ForAll("tenants") String tenant, @ForAll("ids") String id) {
        String scoped = TaskAccess.scoped(tenant, id);

        assertThat(TaskAccess.scoped(tenant, scoped)).isEqualTo(scoped);
        assertThat(scoped).matches("[a-z_:.\\-]+").endsWith(id);
    }
}
