package io.queuedeck.engine.callback;

/** The contract for {@link DeliveryStore#inMemory()}. */
class InMemoryDeliveryStoreTest extends DeliveryStoreContract {
    @Override
    DeliveryStore newStore() {
        return DeliveryStore.inMemory();
    }
}
