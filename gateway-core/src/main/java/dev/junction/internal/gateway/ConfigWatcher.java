package dev.junction.internal.gateway;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/** Watches the configuration file's folder and asks for a reload when the file changes, debounced by 300 ms. */
final class ConfigWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("junction.gateway");
    private static final long DEBOUNCE_MILLIS = 300;

    private final WatchService service;
    private final Thread thread;

    private ConfigWatcher(WatchService service, Path file, Runnable onChange) {
        this.service = service;
        Path name = file.getFileName();
        this.thread = Thread.ofPlatform().daemon().name("junction-config-watcher").start(() -> {
            try {
                while (true) {
                    WatchKey key = service.take();
                    boolean ours = key.pollEvents().stream().anyMatch(e -> name.equals(e.context()));
                    key.reset();
                    if (ours) {
                        // Editors write in several steps; wait for the burst to end.
                        WatchKey more;
                        while ((more = service.poll(DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                            more.pollEvents();
                            more.reset();
                        }
                        onChange.run();
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed
            }
        });
    }

    static ConfigWatcher start(Path file, Runnable onChange) {
        Path absolute = file.toAbsolutePath();
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            absolute.getParent().register(service, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_CREATE);
            LOG.log(Level.INFO, "watching " + absolute + " for changes");
            return new ConfigWatcher(service, absolute, onChange);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot watch " + absolute + ": " + e.getMessage() + "; reload with SIGHUP instead");
            return null;
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            // nothing left to release
        }
        thread.interrupt();
    }
}
