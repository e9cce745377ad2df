package dev.junction.plugin.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP upstream for proxy tests, answering by path:
 * <ul>
 * <li>{@code /slow?ms=N}: answers after N ms</li>
 * <li>{@code /close}: closes the connection without answering</li>
 * <li>{@code /status/N}: answers status N</li>
 * <li>{@code /trailers}: a chunked answer with a trailer {@code x-checksum: abc}</li>
 * <li>{@code /bytes?n=N}: N bytes of a repeating pattern</li>
 * <li>{@code /upload}: reads the body and answers its length and SHA-256</li>
 * <li>anything else: a JSON object with its name, the method, URI, HTTP version and request headers</li>
 * </ul>
 * It records every request it saw.
 */
final class TestBackend {

    final String name;
    final Vertx vertx;
    final HttpServer server;
    final List<JsonObject> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger connectionsClosed = new AtomicInteger();
    volatile int healthStatus = 200;
    /** When set, every request except health checks is answered by closing the connection. */
    volatile boolean resetAll;

    private TestBackend(String name, Vertx vertx, HttpServer server) {
        this.name = name;
        this.vertx = vertx;
        this.server = server;
    }

    static TestBackend start(Vertx vertx, String name) {
        TestBackend[] holder = new TestBackend[1];
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
                .connectionHandler(connection -> connection.closeHandler(v -> holder[0].connectionsClosed
                        .incrementAndGet()))
                .requestHandler(request -> holder[0].handle(request));
        holder[0] = new TestBackend(name, vertx, server);
        TestGateway.await(server.listen(0, "127.0.0.1"));
        return holder[0];
    }

    int port() {
        return server.actualPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    void close() {
        TestGateway.await(server.close());
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/healthz")) {
            request.response().setStatusCode(healthStatus).end("health\n");
            return;
        }
        requests.incrementAndGet();
        JsonObject headers = new JsonObject();
        request.headers().forEach(e -> {
            String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
            headers.put(key, headers.containsKey(key) ? headers.getString(key) + "|" + e.getValue() : e.getValue());
        });
        JsonObject description = new JsonObject().put("backend", name).put("method", request.method().name())
                .put("uri", request.uri()).put("version", request.version().name()).put("headers", headers);
        seen.add(description);
        if (path.equals("/close") || resetAll) {
            request.connection().close();
        } else if (path.startsWith("/slow")) {
            long millis = Long.parseLong(request.getParam("ms"));
            request.body().onSuccess(body -> vertx.setTimer(millis,
                    id -> request.response().end(description.encode())));
        } else if (path.startsWith("/status/")) {
            request.response().setStatusCode(Integer.parseInt(path.substring(8))).end(name);
        } else if (path.equals("/trailers")) {
            request.response().setChunked(true);
            request.response().write("part one;");
            request.response().trailers().add("x-checksum", "abc");
            request.response().end("part two");
        } else if (path.equals("/bytes")) {
            streamBytes(request, Long.parseLong(request.getParam("n")));
        } else if (path.equals("/upload")) {
            MessageDigest digest = sha256();
            long[] count = {0};
            request.handler(chunk -> {
                count[0] += chunk.length();
                digest.update(chunk.getBytes());
            });
            request.endHandler(v -> request.response().end(new JsonObject().put("bytes", count[0])
                    .put("sha256", HexFormat.of().formatHex(digest.digest())).encode()));
        } else {
            request.body().onSuccess(body -> {
                var response = request.response().putHeader("content-type", "application/json");
                if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                    // Connection-specific headers exist in HTTP/1.1 only; the proxy must strip them.
                    response.putHeader("connection", "x-hop")
                            .putHeader("x-hop", "must not reach the client")
                            .putHeader("keep-alive", "timeout=5");
                }
                response.end(description.put("body", body.toString()).encode());
            });
        }
    }

    private static void streamBytes(HttpServerRequest request, long total) {
        var response = request.response().putHeader("content-length", Long.toString(total));
        Buffer chunk = pattern(64 * 1024);
        long[] left = {total};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (left[0] > 0 && !response.writeQueueFull()) {
                int size = (int) Math.min(chunk.length(), left[0]);
                response.write(chunk.slice(0, size));
                left[0] -= size;
            }
            if (left[0] == 0) {
                response.end();
            } else {
                response.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }

    static Buffer pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return Buffer.buffer(bytes);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
