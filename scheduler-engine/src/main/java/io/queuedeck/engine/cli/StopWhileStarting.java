package io.queuedeck.engine.cli;

import java.io.PrintWriter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM or Ctrl-C while {@code serve} starts (reading its store, asking backends for their
 * models, connecting to Redis): nothing has been accepted yet, and what the store holds is as a
 * crash would leave it, which the next start reads. So the process ends at once, says so, and exits
 * 0 like any other stop it was asked for, not with the JVM's 143, which a supervisor takes for a
 * failure. From the moment the API starts to listen a signal is kept instead, for the graceful stop
 * that takes the signals over a moment later ({@link #askedWhileListening}).
 */
final class StopWhileStarting {
    private volatile boolean listening;
    private volatile boolean asked;

    private StopWhileStarting() {}

    static StopWhileStarting install(PrintWriter out) {
        StopWhileStarting starting = new StopWhileStarting();
        SignalHandler stop = signal -> {
            if (starting.listening) {
                starting.asked = true;
                return;
            }
            out.println("QueueDeck API stopped while starting (SIG" + signal.getName() + "): nothing was accepted yet");
            out.flush();
            System.exit(0);
        };
        Signal.handle(new Signal("TERM"), stop);
        Signal.handle(new Signal("INT"), stop);
        return starting;
    }

    /** Called before the API listens: from now on a signal is kept for the graceful stop. */
    void listening() {
        listening = true;
    }

    /** Whether a signal came after {@link #listening} and before the graceful stop's handlers. */
    boolean askedWhileListening() {
        return asked;
    }
}
