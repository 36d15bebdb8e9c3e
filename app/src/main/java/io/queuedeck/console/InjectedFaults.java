package io.queuedeck.console;

import io.queuedeck.console.faults.FaultsViewModel;
import io.queuedeck.console.gpus.GpusViewModel;
import java.util.List;

/** The faults {@code --inject} names (checked by {@link ConsoleOptions}), pressed for the operator after start. */
final class InjectedFaults {
    private InjectedFaults() {}

    /** Sends {@code items} as the fault buttons send them (so they are logged too). */
    static void send(List<String> items, GpusViewModel gpus, FaultsViewModel faults) {
        for (String item : items) {
            String[] parts = item.split("[:x]");
            switch (parts[0]) {
                case "crash" -> gpus.crash(Integer.parseInt(parts[1]));
                case "slow" -> gpus.slow(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]));
                case "offline" -> gpus.setOnline(Integer.parseInt(parts[1]), false);
                case "burst" -> faults.burst();
                case "poison" -> faults.poisonTask();
                default -> throw new IllegalStateException("checked by ConsoleOptions: " + item);
            }
        }
    }
}
