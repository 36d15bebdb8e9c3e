package io.queuedeck.engine.fault;

import java.time.Instant;

/**
 * A fault in force.
 *
 * @param id        its id, for clearing it ({@code f-3})
 * @param spec      what was injected
 * @param startedAt when (wall clock of the engine: virtual in a drill)
 * @param endsAt    when it ends by itself; null if it lasts until cleared
 * @param label     a short description for charts and logs
 */
public record ActiveFault(String id, FaultSpec spec, Instant startedAt, Instant endsAt, String label) {}
