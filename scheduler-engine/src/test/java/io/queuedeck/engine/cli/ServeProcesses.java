package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shaded jar's {@code serve} as a child process, as the tests of promises about processes start it. */
final class ServeProcesses {
    static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");

    private ServeProcesses() {}

    /**
     * Starts {@code serve --port 0} with {@code args}, without a token from the environment and
     * without the user's config file; its stderr goes to {@code dir/serve.err}.
     */
    static Process start(Path dir, List<String> args) throws IOException {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString(), "serve", "--port", "0"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.environment().put("XDG_CONFIG_HOME", dir.resolve("no-config").toString());
        builder.redirectError(dir.resolve("serve.err").toFile());
        return builder.start();
    }

    /** The API's address, from the process's start-up line. */
    static URI base(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Matcher m = LISTENING.matcher(String.valueOf(out.readLine()));
        assertThat(m.matches()).as("the start-up line").isTrue();
        return URI.create(m.group(1));
    }
}
