package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 fast lane ({@link Http1Lane}, {@link LaneCall}) in a whole gateway: which requests take it (read from
 * {@code junction_http_fast_path_requests_total}), and what it does with pipelining, the upstream's framing,
 * informational and malformed responses, hop-by-hop fields, retries, clients that leave and the access log. Upstreams
 * that must misbehave are raw sockets.
 */
class Http1LaneTest {

    private static final String FAST_PATH = "junction_http_fast_path_requests_total";
    private static final Map<String, String> WEB = Map.of("listener", "web");

    @TempDir
    Path dir;

    private Vertx vertx;
    private TestBackend vertxBackend;
    private final List<RawUpstream> rawUpstreams = new ArrayList<>();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        vertxBackend = TestBackend.start(vertx, "vertx");
    }

    @AfterEach
    void tearDown() {
        for (RawUpstream upstream : rawUpstreams) {
            upstream.close();
        }
        TestGateway.await(vertx.close());
    }

    private TestGateway configuredGateway(String listenerOptions, String proxyExtra, String upstreamExtra,
            String... endpoints) {
        return TestGateway.proxying(dir, listenerOptions, proxyExtra, upstreamExtra, endpoints);
    }

    private TestGateway gateway(String... endpoints) {
        return configuredGateway("", "", "", endpoints);
    }

    private RawUpstream raw(RawUpstream.Script script) {
        RawUpstream upstream = new RawUpstream(script);
        rawUpstreams.add(upstream);
        return upstream;
    }

    private static double fastPathRequests(TestGateway gateway) {
        return RoutingMetrics.value(gateway.port(9), FAST_PATH, WEB);
    }

    private static double activeRequests(TestGateway gateway) {
        return RoutingMetrics.value(gateway.port(9), "junction_http_active_requests", WEB);
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: example.test\r\n\r\n";
    }

    // Which requests take the lane

    @Test
    void onlyQualifyingRequestsTakeTheLane() {
        try (TestGateway gateway = TestGateway.start(dir, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: hello
                        match: {path: {prefix: /hello}}
                        action: {respond: {status: 200, body: "hello\\n"}}
                      - name: filtered
                        match: {path: {prefix: /filtered}}
                        filters:
                          - request-headers: {set: {x-env: test}}
                        action: {proxy: {upstream: app}}
                      - name: h2
                        match: {path: {prefix: /h2}}
                        action: {proxy: {upstream: h2app}}
                      - name: app
                        action: {proxy: {upstream: app}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [%s]
                  h2app:
                    protocol: http
                    endpoints: [%s]
                    connector: {version: h2c}
                admin:
                  address: 127.0.0.1:${PORT_9}
                """.formatted(vertxBackend.address(), vertxBackend.address()))) {
            String host = "Host: example.test\r\n";
            Map<String, Boolean> cases = new LinkedHashMap<>();
            cases.put("GET /plain HTTP/1.1\r\n" + host + "\r\n", true);
            cases.put("GET /plain?q=1 HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", true);
            cases.put("HEAD /plain HTTP/1.1\r\n" + host + "\r\n", true);
            cases.put("DELETE /plain HTTP/1.1\r\n" + host + "\r\n", true);
            cases.put("GET /plain HTTP/1.0\r\n" + host + "\r\n", false);
            cases.put("POST /plain HTTP/1.1\r\n" + host + "Content-Length: 2\r\n\r\nhi", false);
            cases.put("GET /plain HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false);
            cases.put("GET /plain HTTP/1.1\r\n" + host + "Expect: 100-continue\r\n\r\n", false);
            cases.put("GET http://example.test/plain HTTP/1.1\r\n" + host + "\r\n", false);
            cases.put("GET /filtered HTTP/1.1\r\n" + host + "\r\n", false);
            cases.put("GET /h2 HTTP/1.1\r\n" + host + "\r\n", false);
            cases.put("GET /hello HTTP/1.1\r\n" + host + "\r\n", false);
            double expected = 0;
            for (Map.Entry<String, Boolean> request : cases.entrySet()) {
                try (Wire wire = new Wire(gateway.port(1))) {
                    wire.send(request.getKey());
                    Response response = request.getKey().startsWith("HEAD ") ? wire.headOnly() : wire.response();
                    assertEquals(200, response.status(), request.getKey() + " -> " + response.head());
                }
                expected += request.getValue() ? 1 : 0;
                assertEquals(expected, fastPathRequests(gateway), request.getKey());
            }
            // A request with Upgrade goes to Vert.x, and so does everything after it on that connection.
            try (Wire wire = new Wire(gateway.port(1))) {
                wire.send("GET /plain HTTP/1.1\r\n" + host + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
                Response upgrade = wire.response();
                assertEquals(200, upgrade.status(), upgrade.head());
                wire.send(get("/plain-after-upgrade"));
                Response after = wire.response();
                assertEquals(200, after.status(), after.head());
                assertEquals("/plain-after-upgrade", after.json().getString("uri"));
            }
            assertEquals(expected, fastPathRequests(gateway));
        }
    }

    // Pipelining

    @Test
    void pipelinedRequestsOnBothPathsAreAnsweredInOrder() {
        try (TestGateway gateway = gateway(vertxBackend.address());
                Wire wire = new Wire(gateway.port(1))) {
            // One write: a lane GET (slow, so the rest arrives while it is in flight), a POST with a body (Vert.x),
            // a GET to the respond route (Vert.x), and a lane GET again.
            wire.send(get("/slow?ms=300")
                    + "POST /post HTTP/1.1\r\nHost: example.test\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 5\r\n\r\nhello"
                    + get("/hello/there")
                    + get("/last?n=4"));
            Response first = wire.response();
            assertEquals(200, first.status(), first.head());
            assertEquals("/slow?ms=300", first.json().getString("uri"));
            Response second = wire.response();
            assertEquals(200, second.status(), second.head());
            assertEquals("POST", second.json().getString("method"));
            assertEquals("/post", second.json().getString("uri"));
            assertEquals("hello", second.json().getString("body"));
            Response third = wire.response();
            assertEquals(200, third.status(), third.head());
            assertEquals("hello\n", third.body());
            Response fourth = wire.response();
            assertEquals(200, fourth.status(), fourth.head());
            assertEquals("/last?n=4", fourth.json().getString("uri"));
            assertEquals("GET", fourth.json().getString("method"));
            // The first GET took the lane. The last one arrived while Vert.x still owed the two responses before it,
            // so it went to Vert.x as well, keeping the responses in order.
            assertEquals(1, fastPathRequests(gateway));
            // Once Vert.x's responses ended, the connection's next request takes the lane again.
            wire.send(get("/again"));
            Response again = wire.response();
            assertEquals(200, again.status(), again.head());
            assertEquals("/again", again.json().getString("uri"));
            assertEquals(2, fastPathRequests(gateway), "the lane is used again on the same connection");
            assertFalse(wire.closedWithin(Duration.ofMillis(200)), "the connection stays open");
        }
    }

    @Test
    void pipelinedLaneRequestsAllTakeTheLaneInOrder() {
        try (TestGateway gateway = gateway(vertxBackend.address());
                Wire wire = new Wire(gateway.port(1))) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                requests.append(get("/slow?ms=" + (50 - i * 10) + "&i=" + i));
            }
            wire.send(requests.toString());
            for (int i = 0; i < 5; i++) {
                Response response = wire.response();
                assertEquals(200, response.status(), response.head());
                assertEquals("/slow?ms=" + (50 - i * 10) + "&i=" + i, response.json().getString("uri"));
            }
            assertEquals(5, fastPathRequests(gateway));
        }
    }

    // Chunked with extensions and trailers, byte-exact

    @Test
    void aChunkedResponseWithExtensionsAndTrailersPassesThroughByteExact() throws Exception {
        String body = "5;ext=1\r\nhello\r\n7;name=\"quoted value\";flag\r\n, world\r\n"
                + "0\r\nX-Checksum: abc\r\nX-Other: def\r\n\r\n";
        RawUpstream backend = raw((head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Ty"));
            out.flush();
            pause(50); // the head, and then a chunk-size line, most likely span two reads of the gateway
            out.write(ascii("pe: text/plain\r\nTransfer-Encoding: chunked\r\n"
                    + "X-Upstream: raw\r\n\r\n" + body.substring(0, 4)));
            out.flush();
            pause(50);
            out.write(ascii(body.substring(4)));
            out.flush();
            return true;
        });
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            for (int i = 0; i < 2; i++) {
                wire.send(get("/chunked/" + i));
                Response head = wire.headOnly();
                assertEquals(200, head.status(), head.head());
                assertEquals("chunked", head.header("transfer-encoding"));
                assertEquals("raw", head.header("x-upstream"));
                assertEquals("1.1 junction", head.header("via"));
                assertNull(head.header("content-length"));
                assertEquals(body, wire.rawChunkedBody(), "chunk extensions and trailers as the upstream sent them");
            }
            assertEquals(2, backend.heads().size());
            assertEquals(1, backend.connections.get(), "the second request reused the pooled upstream connection");
            assertEquals(2, fastPathRequests(gateway));
            String scrape = RoutingMetrics.scrape(gateway.port(9));
            assertEquals(2, RoutingMetrics.value(scrape, "junction_http_requests_total",
                    Map.of("listener", "web", "route", "app", "class", "2xx")), "lane requests count per route");
            assertEquals(2, RoutingMetrics.value(scrape, "junction_http_upstream_requests_total",
                    Map.of("upstream", "app", "class", "2xx")), "and per upstream");
        }
    }

    // A body that ends when the upstream closes

    @Test
    void aCloseDelimitedBodyIsRechunkedAndTheClientConnectionStaysUsable() throws Exception {
        String payload = "0123456789abcdef".repeat(8 * 1024); // 128 KiB in several writes
        RawUpstream backend = raw((head, out) -> {
            String status = path(head).startsWith("/ten") ? "HTTP/1.0 200 OK" : "HTTP/1.1 200 OK";
            out.write(ascii(status + "\r\nContent-Type: text/plain\r\nX-Framing: none\r\n\r\n"));
            for (int at = 0; at < payload.length(); at += 40_000) {
                out.write(ascii(payload.substring(at, Math.min(payload.length(), at + 40_000))));
                out.flush();
            }
            return false; // the close ends the body
        });
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            for (String target : List.of("/ten", "/eleven", "/ten")) {
                wire.send(get(target));
                Response response = wire.response();
                assertEquals(200, response.status(), response.head());
                assertTrue(response.head().startsWith("HTTP/1.1 200"), response.head());
                assertEquals("chunked", response.header("transfer-encoding"), response.head());
                assertNull(response.header("content-length"));
                assertNull(response.header("connection"), "the client's connection is kept: " + response.head());
                assertEquals("none", response.header("x-framing"));
                assertEquals(payload.length(), response.body().length());
                assertEquals(payload, response.body());
            }
            assertFalse(wire.closedWithin(Duration.ofMillis(200)), "the client's connection stays open");
            assertEquals(3, backend.connections.get(), "each close-delimited answer used up its connection");
            assertEquals(3, fastPathRequests(gateway));
        }
    }

    // Connection: close from the client

    @Test
    void aClientConnectionCloseGetsConnectionCloseAndTheSocketIsClosed() {
        try (TestGateway gateway = gateway(vertxBackend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send("GET /bye HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n");
            Response response = wire.response();
            assertEquals(200, response.status(), response.head());
            assertEquals("close", response.header("connection"), response.head());
            assertEquals("/bye", response.json().getString("uri"));
            assertNull(response.json().getJsonObject("headers").getString("connection"),
                    "Connection is hop-by-hop: not forwarded");
            assertTrue(wire.closedWithin(Duration.ofSeconds(5)), "the gateway closes the connection after it");
            assertEquals(1, fastPathRequests(gateway));
        }
    }

    @Test
    void aLargeResponseBeforeAConnectionCloseArrivesWhole() throws Exception {
        int size = 8 * 1024 * 1024;
        for (String transport : List.of("auto", "epoll", "nio")) {
            try (TestGateway gateway = TestGateway.start(dir, """
                    listeners:
                      web:
                        protocol: http
                        address: 127.0.0.1:${PORT_1}
                        routes:
                          - name: app
                            action: {proxy: {upstream: app}}
                    upstreams:
                      app:
                        protocol: http
                        endpoints: [%s]
                    runtime: {transport: %s}
                    admin:
                      address: 127.0.0.1:${PORT_9}
                    """.formatted(vertxBackend.address(), transport));
                    Wire wire = new Wire(gateway.port(1), 8 * 1024)) {
                wire.send("GET /bytes?n=" + size + " HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n");
                Response head = wire.headOnly();
                assertEquals(200, head.status(), head.head());
                assertEquals("close", head.header("connection"));
                assertEquals(Integer.toString(size), head.header("content-length"));
                // A slow reader: the gateway's writes back up while the upstream's last bytes arrive.
                long received = wire.drainSlowly(size, Duration.ofSeconds(30));
                assertEquals(size, received, transport + ": the whole body arrives before the close");
                assertTrue(wire.closedWithin(Duration.ofSeconds(5)));
                assertEquals(1, fastPathRequests(gateway));
            }
        }
    }

    // Malformed upstream responses

    @Test
    void aMalformedUpstreamResponseIs502AndTheClientConnectionStaysUsable() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            switch (path(head)) {
                case "/both-framings" -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\nX-Leak: yes\r\n\r\n0\r\n\r\n"));
                case "/bad-status" -> out.write(ascii("HTTP/1.1 2x0 OK\r\nContent-Length: 6\r\nX-Leak: yes\r\n\r\n"
                        + "leaked"));
                case "/folded" -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Leak: yes\r\n"
                        + " folded\r\n\r\nleaked"));
                default -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            }
            out.flush();
            return true;
        });
        try (TestGateway gateway = configuredGateway("", ", retries: {attempts: 1}", "", backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            for (String target : List.of("/both-framings", "/bad-status", "/folded")) {
                wire.send(get(target));
                Response response = wire.response();
                assertEquals(502, response.status(), target + ": " + response.head());
                assertEquals("502 Bad Gateway\n", response.body());
                assertFalse(response.head().toLowerCase(Locale.ROOT).contains("x-leak"), response.head());
                assertNull(response.header("connection"), "the client's connection is kept: " + response.head());
                wire.send(get("/good"));
                Response next = wire.response();
                assertEquals(200, next.status(), "after " + target + ": " + next.head());
                assertEquals("ok", next.body());
            }
            assertFalse(wire.closedWithin(Duration.ofMillis(200)));
            assertEquals(6, fastPathRequests(gateway));
        }
    }

    @Test
    void aBodyThatTurnsMalformedMidwayClosesTheClientConnectionWithoutTheBadBytes() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            if (path(head).equals("/short")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten.."));
                out.flush();
                return false; // closes 90 bytes early
            }
            out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
            out.flush();
            pause(100);
            out.write(ascii("ZZ\r\nnot a chunk\r\n0\r\n\r\n"));
            out.flush();
            return true;
        });
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send(get("/bad-chunk"));
            Response head = wire.headOnly();
            assertEquals(200, head.status(), head.head());
            String rest = wire.readUntilClosed(Duration.ofSeconds(10));
            assertFalse(rest.contains("ZZ"), rest);
            assertFalse(rest.contains("not a chunk"), rest);
            assertFalse(rest.endsWith("0\r\n\r\n"), "a cut-off body must not look complete: " + rest);
            assertEquals(1, fastPathRequests(gateway));
        }
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send(get("/short"));
            Response head = wire.headOnly();
            assertEquals(200, head.status(), head.head());
            assertEquals("100", head.header("content-length"));
            String rest = wire.readUntilClosed(Duration.ofSeconds(10));
            assertTrue(rest.length() < 100, "the client sees a short body and a close: " + rest);
            assertEquals(1, fastPathRequests(gateway));
        }
    }

    // HEAD

    @Test
    void aHeadResponseForwardsNoBodyAndTheConnectionCarriesOn() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            String path = path(head);
            if (head.startsWith("HEAD ")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
                        + (path.equals("/liar") ? "x".repeat(1000) : "")));
                if (path.equals("/slow-liar")) {
                    out.flush();
                    pause(200); // the body a HEAD answer must not have comes late, after the next request
                    out.write(ascii("x".repeat(1000)));
                }
            } else {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            }
            out.flush();
            return true;
        });
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            for (String target : List.of("/honest", "/liar")) {
                wire.send("HEAD " + target + " HTTP/1.1\r\nHost: example.test\r\n\r\n");
                Response head = wire.headOnly();
                assertEquals(200, head.status(), head.head());
                assertEquals("1000", head.header("content-length"));
                // Whatever comes next must be the next response's status line: no body bytes in between.
                wire.send(get("/after" + target));
                Response next = wire.response();
                assertEquals(200, next.status(), "after HEAD " + target + ": " + next.head());
                assertEquals("ok", next.body());
            }
            assertEquals(List.of("HEAD /honest", "GET /after/honest", "HEAD /liar", "GET /after/liar"),
                    backend.heads().stream().map(h -> h.substring(0, h.indexOf(" HTTP/"))).toList());
            assertEquals(4, fastPathRequests(gateway));
            wire.send("HEAD /slow-liar HTTP/1.1\r\nHost: example.test\r\n\r\n");
            Response head = wire.headOnly();
            assertEquals(200, head.status(), head.head());
            // The next request may go out on the pooled connection before the stray bytes arrive: they then fail
            // that exchange (502, the only endpoint being tried), but are never passed on as its response.
            wire.send(get("/after/slow-liar"));
            Response next = wire.response();
            assertFalse(next.head().contains("xxx") || next.body().contains("xxx"), next.head() + next.body());
            if (next.status() == 502) {
                assertEquals("502 Bad Gateway\n", next.body());
            } else {
                assertEquals(200, next.status(), next.head());
                assertEquals("ok", next.body());
            }
            wire.send(get("/after/after"));
            Response last = wire.response();
            assertEquals(200, last.status(), last.head());
            assertEquals("ok", last.body());
            assertEquals(7, fastPathRequests(gateway));
        }
    }

    // Informational responses

    @Test
    void informationalResponsesAreDroppedAndTheFinalOneForwarded() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            out.write(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
            out.flush();
            pause(20);
            out.write(ascii("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"));
            out.flush();
            pause(20);
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"));
            out.flush();
            return true;
        });
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            for (int i = 0; i < 2; i++) {
                wire.send(get("/early/" + i));
                Response response = wire.response();
                assertEquals(200, response.status(), response.head());
                assertEquals("final", response.body());
                assertFalse(response.head().contains("Early Hints") || response.head().contains("Continue"),
                        response.head());
            }
            assertEquals(2, fastPathRequests(gateway));
        }
    }

    // A client that leaves mid-response

    @Test
    void aClientLeavingMidResponseEndsTheRequestAndFreesTheUpstream() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            if (!path(head).equals("/endless")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                out.flush();
                return true;
            }
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 1073741824\r\n\r\n"));
            byte[] chunk = new byte[64 * 1024];
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                out.write(chunk); // blocks while the gateway pushes back; fails once it lets go
            }
            return false;
        });
        try (TestGateway gateway = gateway(backend.address())) {
            Wire wire = new Wire(gateway.port(1), 32 * 1024);
            try {
                wire.send(get("/endless"));
                Response head = wire.headOnly();
                assertEquals(200, head.status(), head.head());
                assertEquals(256 * 1024, wire.in.readNBytes(256 * 1024).length);
                TestSupport.eventually(() -> assertEquals(1, activeRequests(gateway)));
            } finally {
                wire.reset();
            }
            TestSupport.eventually(() -> assertEquals(0, activeRequests(gateway)));
            TestSupport.eventually(() -> assertEquals(1, backend.gatewayClosed.get(),
                    "the gateway closed the upstream connection of the abandoned response"));
            HttpResponse<String> after = gateway.get("/after");
            assertEquals(200, after.statusCode());
            assertEquals("ok", after.body());
            TestSupport.eventually(() -> assertEquals(0, activeRequests(gateway)));
            assertEquals(2, fastPathRequests(gateway));
        }
    }

    @Test
    void aClientLeavingBeforeTheResponseIsLogged499OnBothPathsAndIsNoServerError() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        RawUpstream backend = raw((head, out) -> {
            try {
                release.await(); // the answer comes only after the client left
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            return false;
        });
        try {
            for (boolean fastPath : new boolean[] {true, false}) {
                Path log = dir.resolve("logs-" + fastPath).resolve("access.log");
                try (TestGateway gateway = configuredGateway("access-log: \"" + log + "\", fast-path: " + fastPath,
                        "", "", backend.address())) {
                    Wire wire = new Wire(gateway.port(1));
                    try {
                        wire.send(get("/stalled"));
                        TestSupport.eventually(() -> assertEquals(1, activeRequests(gateway)));
                    } finally {
                        wire.reset();
                    }
                    TestSupport.eventually(() -> assertEquals(0, activeRequests(gateway)));
                    List<String> lines = awaitLines(log, 1);
                    assertEquals(1, lines.size(), String.valueOf(lines));
                    JsonObject line = new JsonObject(lines.get(0));
                    assertEquals("/stalled", line.getString("path"));
                    assertEquals(499, line.getInteger("status"), "fast path " + fastPath + ": " + line);
                    assertEquals(fastPath ? 1 : 0, fastPathRequests(gateway));
                    String scrape = RoutingMetrics.scrape(gateway.port(9));
                    assertEquals(1, RoutingMetrics.value(scrape, "junction_http_requests_total",
                            Map.of("listener", "web", "route", "app", "class", "4xx")),
                            "fast path " + fastPath + ": the client's doing, not a server error");
                    assertEquals(0, RoutingMetrics.value(scrape, "junction_http_requests_total",
                            Map.of("listener", "web", "route", "app", "class", "5xx")), "fast path " + fastPath);
                }
            }
        } finally {
            release.countDown();
        }
    }

    // fast-path: false

    @Test
    void withTheFastPathOffRequestsGoThroughVertx() {
        try (TestGateway gateway = configuredGateway("fast-path: false", "", "", vertxBackend.address());
                Wire wire = new Wire(gateway.port(1))) {
            HttpResponse<String> response = gateway.get("/off?x=1");
            assertEquals(200, response.statusCode());
            assertEquals("/off?x=1", new JsonObject(response.body()).getString("uri"));
            wire.send(get("/one") + get("/two"));
            assertEquals("/one", wire.response().json().getString("uri"));
            assertEquals("/two", wire.response().json().getString("uri"));
            assertEquals(0, fastPathRequests(gateway), "the meter exists and stays at zero");
        }
        try (TestGateway gateway = gateway(vertxBackend.address())) {
            assertEquals(200, gateway.get("/on").statusCode());
            assertEquals(1, fastPathRequests(gateway), "the same request takes the lane by default");
        }
    }

    // Hop-by-hop fields and forwarding fields

    @Test
    void hopByHopFieldsStayOnTheirHopAndForwardingFieldsAreAdded() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nConnection: x-secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
                    + "X-Visible: yes\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            return true;
        });
        try (TestGateway gateway = gateway(backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send("GET /a/./b/../hop?q=%2F HTTP/1.1\r\nHost: example.test\r\nConnection: x-drop\r\nX-Drop: 1\r\n"
                    + "X-Kept: yes\r\nX-Forwarded-For: 203.0.113.9\r\nForwarded: for=203.0.113.9\r\n\r\n");
            Response response = wire.response();
            assertEquals(200, response.status(), response.head());
            assertEquals("ok", response.body());
            String clientHead = response.head().toLowerCase(Locale.ROOT);
            assertFalse(clientHead.contains("x-secret"), clientHead);
            assertFalse(clientHead.contains("keep-alive"), clientHead);
            assertNull(response.header("connection"), clientHead);
            assertEquals("yes", response.header("x-visible"));
            assertEquals("1.1 junction", response.header("via"));

            assertEquals(1, backend.heads().size());
            String upstreamHead = backend.heads().get(0);
            Map<String, String> seen = fields(upstreamHead);
            assertTrue(upstreamHead.startsWith("GET /a/hop?q=%2F HTTP/1.1\r\n"), upstreamHead);
            assertNull(seen.get("x-drop"), upstreamHead);
            assertNull(seen.get("connection"), upstreamHead);
            assertEquals("yes", seen.get("x-kept"));
            assertEquals("example.test", seen.get("host"));
            assertEquals("127.0.0.1", seen.get("x-forwarded-for"), "a spoofed X-Forwarded-For is replaced");
            assertEquals("http", seen.get("x-forwarded-proto"));
            assertEquals("example.test", seen.get("x-forwarded-host"));
            assertEquals("for=127.0.0.1;proto=http;host=example.test", seen.get("forwarded"));
            assertEquals("1.1 junction", seen.get("via"));
            assertEquals(1, fastPathRequests(gateway));
        }
    }

    // Retries on connect failures

    @Test
    void aConnectFailureIsRetriedOnTheOtherEndpoint() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlive"));
            out.flush();
            return true;
        });
        String dead = "127.0.0.1:" + TestGateway.freePort();
        try (TestGateway gateway = configuredGateway("", "", "    passive-health: {consecutive-failures: 0}\n"
                + "    connector: {connect-timeout: 2s}", dead, backend.address())) {
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = gateway.get("/retry/" + i);
                assertEquals(200, response.statusCode());
                assertEquals("live", response.body());
            }
            assertTrue(RoutingMetrics.value(gateway.port(9), "junction_http_upstream_retries_total",
                    Map.of("upstream", "app")) >= 1, "round robin sent some requests to the dead endpoint first");
            assertEquals(6, fastPathRequests(gateway));
        }
    }

    @Test
    void allEndpointsDeadAnswer502() {
        try (TestGateway gateway = configuredGateway("", "", "    connector: {connect-timeout: 2s}",
                "127.0.0.1:" + TestGateway.freePort(), "127.0.0.1:" + TestGateway.freePort());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send(get("/nowhere"));
            Response response = wire.response();
            assertEquals(502, response.status(), response.head());
            assertEquals("502 Bad Gateway\n", response.body());
            wire.send(get("/hello/still"));
            assertEquals("hello\n", wire.response().body(), "the connection carries on");
            assertEquals(1, fastPathRequests(gateway));
        }
    }

    // Access log

    @Test
    void theAccessLogHasALineForALaneRequest() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            if (path(head).equals("/chunked")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: abc\r\n\r\n"));
            } else {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            }
            out.flush();
            return true;
        });
        Path log = dir.resolve("logs").resolve("access.log");
        try (TestGateway gateway = configuredGateway("access-log: \"" + log + "\"", "", "", backend.address())) {
            HttpResponse<String> response = gateway.get("/logged?x=1");
            assertEquals(200, response.statusCode());
            assertEquals(1, fastPathRequests(gateway));
            List<String> lines = awaitLines(log, 1);
            assertEquals(1, lines.size(), String.valueOf(lines));
            JsonObject line = new JsonObject(lines.get(0));
            assertEquals("web", line.getString("listener"));
            assertEquals("app", line.getString("route"));
            assertEquals("GET", line.getString("method"));
            assertEquals("/logged", line.getString("path"));
            assertEquals(200, line.getInteger("status"));
            assertEquals("app", line.getString("upstream"));
            assertEquals(backend.address(), line.getString("endpoint"));
            assertEquals("127.0.0.1", line.getString("client"));
            assertEquals(0, line.getInteger("retries"));
            assertEquals(2, line.getLong("bytes_out"));
            assertNull(line.getString("error"));

            HttpResponse<String> chunked = gateway.get("/chunked");
            assertEquals("hello, world", chunked.body());
            assertEquals(2, fastPathRequests(gateway));
            lines = awaitLines(log, 2);
            assertEquals(2, lines.size(), String.valueOf(lines));
            JsonObject second = new JsonObject(lines.get(1));
            assertEquals("/chunked", second.getString("path"));
            assertEquals(200, second.getInteger("status"));
            assertEquals(12, second.getLong("bytes_out"),
                    "body bytes, as for requests Vert.x answers: not the chunked framing");
        }
    }

    // Connections, draining, timeouts and status retries

    @Test
    void anIdleTimeoutDuringASlowLaneResponseLetsItFinishThenCloses() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            pause(2500); // longer than the listener's idle timeout
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate"));
            out.flush();
            return true;
        });
        try (TestGateway gateway = configuredGateway("idle-timeout: 1s", "", "", backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send(get("/late"));
            Response response = wire.response();
            assertEquals(200, response.status(), response.head());
            assertEquals("late", response.body());
            assertEquals("close", response.header("connection"), "the close waits for the response");
            assertTrue(wire.closedWithin(Duration.ofSeconds(5)));
            assertEquals(1, fastPathRequests(gateway));
        }
    }

    @Test
    void anIdleTimeoutSparesAConnectionInUseAndClosesItOnceIdle() throws Exception {
        try (TestGateway gateway = configuredGateway("idle-timeout: 1s", "", "", vertxBackend.address());
                Wire wire = new Wire(gateway.port(1))) {
            // Seven requests 300 ms apart: 2.1 s on one connection, never 1 s without traffic.
            for (int i = 0; i < 7; i++) {
                wire.send(get("/busy-" + i));
                Response response = wire.response();
                assertEquals(200, response.status(), "request " + i + " on the same connection: " + response.head());
                pause(300);
            }
            assertEquals(7, fastPathRequests(gateway));
            assertTrue(wire.closedWithin(Duration.ofSeconds(5)), "closed once idle for the timeout");
        }
    }

    @Test
    void aConnectionThatOnlyCarriedLaneRequestsIsCounted() {
        try (TestGateway gateway = gateway(vertxBackend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send(get("/counted"));
            assertEquals(200, wire.response().status());
            assertEquals(1, fastPathRequests(gateway));
            assertEquals(1, RoutingMetrics.value(gateway.port(9), "junction_http_connections_total", WEB),
                    "the connection is counted like one whose requests Vert.x answered");
        }
    }

    @Test
    void aDrainClosesAnIdleConnectionThatOnlyCarriedLaneRequests() throws Exception {
        TestGateway gateway = TestGateway.start(dir, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: app
                        action: {proxy: {upstream: app}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [%s]
                runtime: {drain-timeout: 60s}
                admin:
                  address: 127.0.0.1:${PORT_9}
                """.formatted(vertxBackend.address()));
        Thread closer = null;
        Wire wire = new Wire(gateway.port(1));
        try {
            wire.send(get("/idle-after"));
            assertEquals(200, wire.response().status());
            assertEquals(1, fastPathRequests(gateway));
            closer = Thread.ofPlatform().daemon().start(gateway::close);
            // Vert.x closes an idle HTTP/1.1 connection as soon as a drain starts; the 60 s drain is the limit for
            // connections with a request in progress, which this one does not have.
            assertTrue(wire.closedWithin(Duration.ofSeconds(15)),
                    "the idle keep-alive connection is closed when the drain starts, not at its end");
        } finally {
            wire.close();
            if (closer == null) {
                gateway.close();
            } else {
                closer.join(Duration.ofSeconds(30).toMillis());
            }
        }
    }

    @Test
    void noResponseWithinTheFirstByteTimeoutIs504AndTheConnectionCarriesOn() throws Exception {
        RawUpstream backend = raw((head, out) -> {
            if (path(head).equals("/silent")) {
                pause(3000); // answers nothing; the gateway gives up first
                return false;
            }
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            return true;
        });
        try (TestGateway gateway = configuredGateway("", ", timeouts: {first-byte: 300ms}, retries: {attempts: 1}",
                "", backend.address());
                Wire wire = new Wire(gateway.port(1))) {
            wire.send(get("/silent"));
            Response response = wire.response();
            assertEquals(504, response.status(), response.head());
            assertEquals("504 Gateway Timeout\n", response.body());
            wire.send(get("/after"));
            assertEquals("ok", wire.response().body());
            assertEquals(2, fastPathRequests(gateway));
        }
    }

    @Test
    void a503AnswerIsRetriedOnTheOtherEndpoint() throws Exception {
        RawUpstream unavailable = raw((head, out) -> {
            out.write(ascii("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"));
            out.flush();
            return true;
        });
        RawUpstream available = raw((head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine"));
            out.flush();
            return true;
        });
        try (TestGateway gateway = configuredGateway("", "", "    passive-health: {consecutive-failures: 0}",
                unavailable.address(), available.address());
                Wire wire = new Wire(gateway.port(1))) {
            for (int i = 0; i < 4; i++) {
                wire.send(get("/retry-status/" + i));
                Response response = wire.response();
                assertEquals(200, response.status(), response.head());
                assertEquals("fine", response.body());
            }
            assertTrue(unavailable.heads().size() >= 1, "round robin tried the unavailable endpoint");
            assertEquals(4, available.heads().size());
            assertEquals(4, fastPathRequests(gateway));
        }
    }

    // Helpers

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String path(String requestHead) {
        String target = requestHead.substring(requestHead.indexOf(' ') + 1, requestHead.indexOf(" HTTP/"));
        int question = target.indexOf('?');
        return question < 0 ? target : target.substring(0, question);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The fields of a head, names in lower case, repeated ones joined with {@code ", "}. */
    private static Map<String, String> fields(String head) {
        Map<String, String> fields = new LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                break;
            }
            int colon = lines[i].indexOf(':');
            fields.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        return fields;
    }

    private static List<String> awaitLines(Path log, int count) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= count || System.nanoTime() > deadline) {
                return lines;
            }
            pause(20);
        }
    }

    /** A response read from the wire: the head as text, and the body decoded from its framing. */
    record Response(int status, String head, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }

        JsonObject json() {
            return new JsonObject(body);
        }
    }

    /**
     * A client on a raw socket ({@link RoutingRawClient}) that reads responses byte by byte and strictly: each line
     * must end in CRLF, the head is kept as text, a chunked body can be read as it came.
     */
    private static final class Wire implements AutoCloseable {
        private final RoutingRawClient client;
        final InputStream in;

        Wire(int port) {
            this(port, 0);
        }

        /** {@code receiveBuffer} above 0 makes the socket's receive buffer that small. */
        Wire(int port, int receiveBuffer) {
            client = new RoutingRawClient(port, receiveBuffer);
            in = client.input();
        }

        void send(String text) {
            client.send(text);
        }

        /** Reads a head up to its empty line; the body, if any, is left to read. */
        Response headOnly() {
            try {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (true) {
                    int b = in.read();
                    if (b < 0) {
                        throw new AssertionError("connection closed before a whole head: "
                                + head.toString(StandardCharsets.ISO_8859_1));
                    }
                    head.write(b);
                    int n = head.size();
                    if (n >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        break;
                    }
                    if (n > 65_536) {
                        throw new AssertionError("head too large");
                    }
                }
                String text = head.toString(StandardCharsets.ISO_8859_1);
                if (!text.startsWith("HTTP/1.1 ") && !text.startsWith("HTTP/1.0 ")) {
                    throw new AssertionError("not a status line: " + text);
                }
                int status = Integer.parseInt(text.substring(9, 12));
                return new Response(status, text, fields(text), "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads a whole response to a request other than HEAD, after any interim (1xx) ones. */
        Response response() {
            Response head = headOnly();
            while (head.status() >= 100 && head.status() < 200 && head.status() != 101) {
                head = headOnly();
            }
            try {
                String body;
                String length = head.header("content-length");
                if (head.status() == 204 || head.status() == 304) {
                    body = "";
                } else if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
                    body = decodeChunked(rawChunkedBody());
                } else if (length != null) {
                    int n = Integer.parseInt(length);
                    byte[] bytes = in.readNBytes(n);
                    assertEquals(n, bytes.length, "the body is cut short");
                    body = new String(bytes, StandardCharsets.ISO_8859_1);
                } else {
                    body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                }
                return new Response(head.status(), head.head(), head.headers(), body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads a chunked body as it came: size lines with their extensions, data, the last chunk, trailers. */
        String rawChunkedBody() throws IOException {
            StringBuilder raw = new StringBuilder();
            while (true) {
                String sizeLine = client.crlfLine(false);
                raw.append(sizeLine).append("\r\n");
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    for (String trailer = client.crlfLine(false); ; trailer = client.crlfLine(false)) {
                        raw.append(trailer).append("\r\n");
                        if (trailer.isEmpty()) {
                            return raw.toString();
                        }
                    }
                }
                byte[] data = in.readNBytes(size);
                assertEquals(size, data.length, "a chunk is cut short: " + raw);
                raw.append(new String(data, StandardCharsets.ISO_8859_1));
                String end = client.crlfLine(false);
                assertEquals("", end, "CRLF after the chunk data");
                raw.append("\r\n");
            }
        }

        private static String decodeChunked(String raw) {
            StringBuilder data = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = raw.indexOf("\r\n", at);
                String sizeLine = raw.substring(at, lineEnd);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    return data.toString();
                }
                data.append(raw, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
        }

        /**
         * Reads {@code expected} bytes in small pieces with pauses, until the connection closes or {@code limit}
         * passes; returns how many came.
         */
        long drainSlowly(long expected, Duration limit) throws IOException {
            long deadline = System.nanoTime() + limit.toNanos();
            pause(300); // the gateway's buffers fill up and it stops reading from the upstream
            byte[] buffer = new byte[8 * 1024];
            long received = 0;
            while (received < expected && System.nanoTime() < deadline) {
                int n;
                try {
                    n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - received));
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (SocketException e) {
                    break; // reset
                }
                if (n < 0) {
                    break;
                }
                received += n;
                pause(1);
            }
            return received;
        }

        /** Reads everything until the peer closes, for at most {@code limit}; fails when it stays open. */
        String readUntilClosed(Duration limit) {
            return client.readUntilClosed(limit);
        }

        /** Waits up to {@code limit} for the peer to close, discarding what arrives; returns whether it closed. */
        boolean closedWithin(Duration limit) {
            return client.closedWithin(limit);
        }

        /** Closes with a reset, as a client that gives up does. */
        void reset() {
            client.reset();
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
