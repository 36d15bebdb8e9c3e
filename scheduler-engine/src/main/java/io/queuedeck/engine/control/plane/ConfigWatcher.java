package io.queuedeck.engine.control.plane;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Watches the config file {@code serve --config} named and hands each new text to the plane. Its
 * folder is watched (an editor often replaces a file rather than writing it), and events are
 * debounced: the file is read once no event has come for {@link #QUIET_MILLIS}, so a save in
 * several writes applies once, whole. One thread of its own, from the factory given.
 */
public final class ConfigWatcher implements AutoCloseable {
    /** How long the folder must stay quiet before the file is read. */
    static final long QUIET_MILLIS = 150;
    private static final System.Logger LOG = System.getLogger(ConfigWatcher.class.getName());

    private final ConfigPlane plane;
    private final Path file;
    private final WatchService watch;
    private final Thread thread;

    private ConfigWatcher(ConfigPlane plane, Path file, ThreadFactory threads) throws IOException {
        this.plane = plane;
        this.file = file.toAbsolutePath().normalize();
        this.watch = FileSystems.getDefault().newWatchService();
        this.file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE); // a deleted file is said so in last_error
        this.thread = threads.newThread(this::run);
    }

    /** Starts watching {@code file}. @throws IOException when its folder cannot be watched */
    public static ConfigWatcher start(ConfigPlane plane, Path file, ThreadFactory threads) throws IOException {
        ConfigWatcher watcher = new ConfigWatcher(plane, file, threads);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = drain(key);
                // debounce: keep taking events until the folder is quiet, then read once
                WatchKey more;
                while ((more = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    ours |= drain(more);
                }
                if (ours) {
                    read();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the engine is stopping
        }
    }

    /** Whether the key's events touch the watched file; resets it for more. */
    private boolean drain(WatchKey key) {
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.context() instanceof Path name && file.getFileName().equals(name)
                    || event.kind() == StandardWatchEventKinds.OVERFLOW) {
                ours = true;
            }
        }
        key.reset();
        return ours;
    }

    private void read() {
        String text;
        try {
            text = io.queuedeck.engine.config.ConfigFiles.read(file);
        } catch (io.queuedeck.engine.config.ConfigException e) {
            plane.fileUnreadable(e.getMessage(), file.toString());
            return;
        }
        if (text.isEmpty()) { // an editor truncates before it writes: all defaults, by accident, is no version
            plane.fileUnreadable(file + " is empty (saved half-way?); a file of only comments means the defaults", file.toString());
            return;
        }
        plane.fileChanged(text, file.toString());
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            // nothing left to release
        }
        thread.interrupt();
    }
}
