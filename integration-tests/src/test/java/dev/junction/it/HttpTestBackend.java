package dev.junction.it;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hand-written HTTP/1.1 upstream on a loopback port ({@code com.sun.net.httpserver}, one virtual thread per
 * exchange). Every request except health checks is recorded with the headers it arrived with.
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 {@code ok} (counted, not recorded);
 *   <li>{@code GET /sleep?ms=N}: waits N ms, then answers 200 with the id;
 *   <li>{@code GET /bytes?n=N}: streams N bytes of {@link #pattern()} with a {@code Content-Length}, counting
 *       what it wrote in {@link #bytesWritten()};
 *   <li>{@code POST /upload[?delay-ms=N]}: waits N ms before reading, then reads the whole body while hashing it
 *       (counted in {@link #bytesRead()}) and answers {@code <bytes> <sha-256 hex>};
 *   <li>anything else: 200 with the backend's id and a newline as body and {@code X-Backend: <id>}.
 * </ul>
 */
final class HttpTestBackend implements AutoCloseable {
    /** Size of the pseudo-random block that {@code /bytes} repeats. */
    static final int PATTERN_SIZE = 1 << 20;
    private static final byte[] PATTERN = newPattern();

    /** One request as the backend saw it; header names are lower case. */
    record Recorded(String method, String path, Map<String, List<String>> headers) {
        /** The only value of {@code name}, failing if there are none or several. */
        String single(String name) {
            List<String> values = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            if (values.size() != 1) {
                throw new AssertionError("expected exactly one " + name + " header, got " + values + " in " + this);
            }
            return values.get(0);
        }
    }

    private final String id;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private volatile boolean stopped;

    private HttpTestBackend(String id, HttpServer server, ExecutorService executor) {
        this.id = id;
        this.server = server;
        this.executor = executor;
    }

    /** Starts a backend named {@code id} on 127.0.0.1:port. */
    static HttpTestBackend start(String id, int port) {
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-backend-" + id, 0).factory());
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            HttpTestBackend backend = new HttpTestBackend(id, server, executor);
            server.setExecutor(executor);
            server.createContext("/", backend::handle);
            server.start();
            return backend;
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("HTTP backend " + id + " cannot listen on port " + port, e);
        }
    }

    String id() {
        return id;
    }

    /** Requests seen so far, health checks excluded, oldest first. */
    List<Recorded> requests() {
        return new ArrayList<>(recorded);
    }

    /** The recorded requests for {@code path} (without query). */
    List<Recorded> requestsFor(String path) {
        return recorded.stream().filter(request -> request.path().equals(path)).toList();
    }

    int healthChecks() {
        return healthChecks.get();
    }

    /** Body bytes written by {@code /bytes} so far. */
    long bytesWritten() {
        return bytesWritten.get();
    }

    /** Body bytes read by {@code /upload} so far. */
    long bytesRead() {
        return bytesRead.get();
    }

    /** The block that {@code /bytes} repeats; a copy. */
    static byte[] pattern() {
        return PATTERN.clone();
    }

    /** SHA-256 (hex) of the first {@code n} bytes {@code /bytes?n=...} sends, computed without holding them. */
    static String sha256OfPattern(long n) {
        MessageDigest digest = TestBackend.sha256();
        long left = n;
        while (left > 0) {
            int length = (int) Math.min(left, PATTERN.length);
            digest.update(PATTERN, 0, length);
            left -= length;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static byte[] newPattern() {
        byte[] pattern = new byte[PATTERN_SIZE];
        new Random(7).nextBytes(pattern);
        return pattern;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            Map<String, String> query = query(uri.getRawQuery());
            if (path.equals("/healthz")) {
                healthChecks.incrementAndGet();
                drain(exchange.getRequestBody());
                answer(exchange, 200, "ok\n");
                return;
            }
            recorded.add(new Recorded(exchange.getRequestMethod(), path, lowerCase(exchange.getRequestHeaders())));
            switch (path) {
                case "/sleep" -> {
                    drain(exchange.getRequestBody());
                    pause(Long.parseLong(query.getOrDefault("ms", "0")));
                    answer(exchange, 200, id + "\n");
                }
                case "/bytes" -> streamBytes(exchange, Long.parseLong(query.getOrDefault("n", "0")));
                case "/upload" -> consumeUpload(exchange, Long.parseLong(query.getOrDefault("delay-ms", "0")));
                default -> {
                    drain(exchange.getRequestBody());
                    answer(exchange, 200, id + "\n");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stopped) {
                System.out.println("http backend " + id + ": " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI() + " ended with " + e);
            }
            throw e;
        }
    }

    private void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("X-Backend", id);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void streamBytes(HttpExchange exchange, long n) throws IOException {
        drain(exchange.getRequestBody());
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.getResponseHeaders().set("X-Backend", id);
        exchange.sendResponseHeaders(200, n == 0 ? -1 : n);
        try (OutputStream out = exchange.getResponseBody()) {
            long left = n;
            while (left > 0) {
                int length = (int) Math.min(left, PATTERN.length);
                out.write(PATTERN, 0, length);
                left -= length;
                bytesWritten.addAndGet(length);
            }
        }
    }

    private void consumeUpload(HttpExchange exchange, long delayMillis) throws IOException {
        pause(delayMillis);
        MessageDigest digest = TestBackend.sha256();
        long total = 0;
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                total += n;
                bytesRead.addAndGet(n);
            }
        }
        answer(exchange, 200, total + " " + HexFormat.of().formatHex(digest.digest()) + "\n");
    }

    /** Sleeps; an interrupt (the backend closing) ends the sleep early, and the answer then fails to go out. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(InputStream body) throws IOException {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            query.put(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
        }
        return query;
    }

    private static Map<String, List<String>> lowerCase(Headers headers) {
        Map<String, List<String>> copy = new TreeMap<>();
        headers.forEach((name, values) -> copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new ArrayList<>())
                .addAll(values));
        return copy;
    }

    /** Stops accepting (new connections are refused) and closes every open connection at once. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        server.stop(0);
        executor.shutdownNow();
    }
}
