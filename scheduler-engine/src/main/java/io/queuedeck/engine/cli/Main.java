package io.queuedeck.engine.cli;

import io.queuedeck.engine.config.DurationText;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
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
        line.registerConverter(Duration.class, Main::duration);
        // an unknown option or a value of the wrong type: the problem and where help is, not the whole usage
        line.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("error: " + e.getMessage());
            cmd.getErr().println("(" + cmd.getCommandSpec().qualifiedName() + " --help lists the options)");
            return 2;
        });
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

    /** A duration as the config file writes it ({@code 90s}, {@code 24h}), or ISO-8601 ({@code PT24H}). */
    private static Duration duration(String text) {
        try {
            Optional<Duration> written = DurationText.parse(text);
            return written.isPresent() ? written.get() : Duration.parse(text);
        } catch (ArithmeticException | DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration such as 500ms, 90s, 5m, 24h or PT24H");
        }
    }
}
