package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JSON-lines access log of one listener. Event loops format a line and hand it to a writer thread through a
 * bounded queue, so a slow disk never blocks traffic: when the queue is full the line is dropped and counted.
 *
 * <pre>{@code
 * {"time":"2026-11-26T10:00:00.123Z","listener":"web","route":"app","client":"127.0.0.1","method":"GET",
 *  "host":"example.org","path":"/","status":200,"bytes_in":0,"bytes_out":5,"duration_ms":0.412,
 *  "upstream":"app","endpoint":"127.0.0.1:18081","upstream_connect_ms":0.0,"upstream_first_byte_ms":0.301,
 *  "retries":0}
 * }</pre>
 */
final class AccessLog implements AutoCloseable {

    private static final String STOP = new String("stop");

    private final String name;
    private final Writer writer;
    private final boolean closeWriter;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(65_536);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;

    private AccessLog(String name, Writer writer, boolean closeWriter) {
        this.name = name;
        this.writer = writer;
        this.closeWriter = closeWriter;
        this.thread = Thread.ofPlatform().daemon().name("junction-access-log-" + name).unstarted(this::drain);
        thread.start();
    }

    /** Opens the log {@code target} names: {@code off} gives null, {@code stdout}, or a file appended to. */
    static AccessLog open(String target, String listener) {
        if (target.equals("off")) {
            return null;
        }
        if (target.equals("stdout")) {
            return new AccessLog(listener, new BufferedWriter(new OutputStreamWriter(System.out,
                    StandardCharsets.UTF_8)), false);
        }
        try {
            Path path = Path.of(target);
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            return new AccessLog(listener, Files.newBufferedWriter(path, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
        } catch (IOException | RuntimeException e) {
            throw new GatewayException(GatewayException.Source.INTERNAL, false, "http: listener '" + listener
                    + "': cannot open access log " + target + ": " + e.getMessage(), e);
        }
    }

    /** Returns how many lines were dropped because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    /** What one access log line records about a request. */
    interface Entry {
        String listenerName();

        String routeName();

        String clientIp();

        String methodName();

        String host();

        /** Returns the normalised path before any rewrite. */
        String originalPath();

        long bytesIn();

        long bytesOut();

        /** Returns the upstream the request went to, or an empty string when it was answered locally. */
        String upstreamName();

        String endpointName();

        long connectNanos();

        /** Returns the time from the request's arrival to the upstream's response head, or 0. */
        long firstByteAfterNanos();

        int retries();

        /** Returns why the request failed, or null. */
        Throwable failure();
    }

    void write(Entry entry, int status, long totalNanos) {
        StringBuilder line = new StringBuilder(320);
        line.append("{\"time\":\"").append(Instant.now()).append('"');
        field(line, "listener", entry.listenerName());
        field(line, "route", entry.routeName());
        field(line, "client", entry.clientIp());
        field(line, "method", entry.methodName());
        field(line, "host", entry.host());
        field(line, "path", entry.originalPath());
        line.append(",\"status\":").append(status);
        line.append(",\"bytes_in\":").append(entry.bytesIn());
        line.append(",\"bytes_out\":").append(entry.bytesOut());
        millis(line, "duration_ms", totalNanos);
        if (!entry.upstreamName().isEmpty()) {
            field(line, "upstream", entry.upstreamName());
            field(line, "endpoint", entry.endpointName());
            millis(line, "upstream_connect_ms", entry.connectNanos());
            millis(line, "upstream_first_byte_ms", entry.firstByteAfterNanos());
        }
        line.append(",\"retries\":").append(entry.retries());
        Throwable failure = entry.failure();
        if (failure != null) {
            field(line, "error", String.valueOf(failure.getMessage()));
        }
        line.append("}\n");
        if (!queue.offer(line.toString())) {
            dropped.incrementAndGet();
        }
    }

    private static void field(StringBuilder line, String key, String value) {
        line.append(",\"").append(key).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }

    private static void millis(StringBuilder line, String key, long nanos) {
        line.append(",\"").append(key).append("\":").append(nanos / 1_000_000).append('.');
        long fraction = (nanos / 1000) % 1000;
        if (fraction < 100) {
            line.append('0');
        }
        if (fraction < 10) {
            line.append('0');
        }
        line.append(fraction);
    }

    private void drain() {
        List<String> batch = new ArrayList<>(256);
        try {
            while (true) {
                String first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1023);
                boolean stop = false;
                for (String line : batch) {
                    if (line == STOP) {
                        stop = true;
                    } else {
                        writer.write(line);
                    }
                }
                batch.clear();
                writer.flush();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            System.getLogger("junction.http").log(System.Logger.Level.WARNING,
                    "http: listener '" + name + "': access log write failed; logging stops", e);
        } finally {
            if (closeWriter) {
                try {
                    writer.close();
                } catch (IOException ignored) {
                    // nothing left to do with it
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            queue.put(STOP);
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
