package io.queuedeck.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar queuedeck-engine.jar <command>}: the engine without a window. */
@Command(name = "queuedeck-engine", mixinStandardHelpOptions = true, version = "QueueDeck engine 0.1.0",
        description = "Scheduler engine for LLM inference task queues.",
        subcommands = {ServeCommand.class, SimulateCommand.class, DemoCommand.class, InversionCommand.class, RulesCommand.class, DrillCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: a refused argument is one line on stderr (one per problem), exit 2. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                for (String problem : e.getMessage().split("\n")) { // a config file: every problem it has
                    cmd.getErr().println("error: " + problem);
                }
                return 2;
            }
            throw e;
        });
        return line;
    }
}
