package io.queuedeck.engine.fault;

/** A fault refused because {@link FaultCatalogue#MAX_IN_FORCE} are in force already. */
public final class TooManyFaultsException extends IllegalStateException {
    public TooManyFaultsException(String message) {
        super(message);
    }
}
