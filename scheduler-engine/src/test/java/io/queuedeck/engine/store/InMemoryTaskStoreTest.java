package io.queuedeck.engine.store;

class InMemoryTaskStoreTest extends TaskStoreContract {
    @Override
    TaskStore create() {
        return TaskStore.inMemory();
    }
}
