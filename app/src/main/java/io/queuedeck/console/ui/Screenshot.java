package io.queuedeck.console.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntConsumer;
import javafx.animation.PauseTransition;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;

/** Renders a scene or node to PNG: the screenshot mode, and chart export. */
public final class Screenshot {
    private Screenshot() {}

    /**
     * Saves {@code scene} to {@code file} after {@code delay}, then hands {@code exit} 0 (1 on
     * failure): the screenshot mode ends the application with it.
     */
    public static void after(Scene scene, Path file, Duration delay, IntConsumer exit) {
        PauseTransition wait = new PauseTransition(javafx.util.Duration.millis(delay.toMillis()));
        wait.setOnFinished(e -> {
            int code = 0;
            try {
                write(scene.snapshot(null), file);
                System.out.println("screenshot written to " + file.toAbsolutePath());
            } catch (RuntimeException ex) {
                System.err.println("screenshot failed: " + ex.getMessage());
                code = 1;
            }
            exit.accept(code);
        });
        wait.play();
    }

    /** Saves {@code node} as it looks now to {@code file}. FX thread. */
    public static void write(Node node, Path file) {
        write(node.snapshot(null, null), file);
    }

    /** Saves {@code image} to {@code file} as PNG; any thread. */
    public static void write(WritableImage image, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile())) {
                throw new IOException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
