package io.queuedeck.engine.store;

import java.nio.file.Path;
import java.util.function.Function;

/** Where QueueDeck keeps its state when no directory is given, per the XDG base directory spec. */
public final class DataDirectory {
    private DataDirectory() {}

    /**
     * {@code $XDG_DATA_HOME/queuedeck}, else {@code ~/.local/share/queuedeck}; a relative
     * {@code XDG_DATA_HOME} is ignored, as the spec says.
     *
     * @param env  the environment ({@code System::getenv})
     * @param home the user's home directory
     */
    public static Path userDefault(Function<String, String> env, String home) {
        String xdg = env.apply("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "queuedeck");
        }
        return Path.of(home, ".local", "share", "queuedeck");
    }

    /**
     * The user's home directory: {@code $HOME} when it is set and absolute (as the XDG spec and every
     * shell take it; Java's {@code user.home} reads the password database and ignored a changed
     * {@code HOME}), else {@code user.home}.
     */
    public static String userHome() {
        String home = System.getenv("HOME");
        return home != null && !home.isBlank() && Path.of(home).isAbsolute() ? home : System.getProperty("user.home");
    }
}
