package dev.junction.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits of the {@code http} listener: URI length, head size, header count, body size and the head timeout. */
class HttpListenerLimitsTest {

    private static final int MAX_URI = 256;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final String OVERSIZED_HEAD = "POST /echo HTTP/1.1\r\nHost: example.test\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789";

    @TempDir
    static Path directory;
    private static TestGateway gateway;
    private static int port;
    private static int admin;
    private static int http1Port;

    @BeforeAll
    static void start() {
        gateway = TestGateway.start(directory, """
                listeners:
                  limits:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options:
                      max-uri-length: 256
                      max-header-size: 2KiB
                      max-headers: 10
                      max-body-size: 100
                      request-header-timeout: 1s
                    routes:
                      - name: proxy
                        match: {path: {prefix: /proxy}}
                        action: {proxy: {upstream: backend}}
                      - name: echo
                        action: {echo: {}}
                  limits-h1:
                    protocol: http
                    address: 127.0.0.1:${PORT_3}
                    options: {h2c: false, request-header-timeout: 1s}
                    routes:
                      - name: h1-echo
                        action: {echo: {}}
                  backend:
                    protocol: http
                    address: 127.0.0.1:${PORT_2}
                    routes:
                      - name: backend-echo
                        action: {echo: {}}
                upstreams:
                  backend:
                    protocol: http
                    endpoints: [127.0.0.1:${PORT_2}]
                admin:
                  address: 127.0.0.1:${PORT_9}
                """);
        port = gateway.port(1);
        admin = gateway.port(9);
        http1Port = gateway.port(3);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String get(String target, String headers) {
        return "GET " + target + " HTTP/1.1\r\nHost: example.test\r\n" + headers + "\r\n";
    }

    private static double requests(String listener, String route) {
        return Math.max(0, RoutingMetrics.value(admin, "junction_http_requests_total",
                Map.of("listener", listener, "route", route)));
    }

    private static double rejected(int status) {
        return Math.max(0, RoutingMetrics.value(admin, "junction_http_rejected_total",
                Map.of("listener", "limits", "status", Integer.toString(status))));
    }

    @Test
    void aUriFarLongerThanTheLimitIs414() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, get("/" + "a".repeat(2 * MAX_URI), ""));
        assertThat(response.status()).isEqualTo(414);
        assertThat(response.body()).startsWith("414").hasSizeLessThan(100);
    }

    @Test
    void aUriOfExactlyTheLimitIsServed() {
        String uri = "/" + "a".repeat(MAX_URI - 1);
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, get(uri, ""));
        assertThat(response.status()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("path")).isEqualTo(uri);
    }

    @Test
    void aUriOneByteLongerThanTheLimitIs414() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, get("/" + "a".repeat(MAX_URI), ""));
        assertThat(response.status()).isEqualTo(414);
    }

    @Test
    void aHeadLargerThanMaxHeaderSizeIs431() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port,
                get("/echo", "X-Big: " + "b".repeat(3000) + "\r\n"));
        assertThat(response.status()).isEqualTo(431);
        assertThat(response.body()).startsWith("431");
    }

    @Test
    void aHeadWithinMaxHeaderSizeIsServed() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port,
                get("/echo", "X-Big: " + "b".repeat(1000) + "\r\n"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonObject("headers").getString("x-big")).hasSize(1000);
    }

    private static String fields(String prefix, int count, boolean sameName) {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < count; i++) {
            headers.append(prefix).append(sameName ? "" : Integer.toString(i)).append(": v").append(i).append("\r\n");
        }
        return headers.toString();
    }

    @Test
    void moreHeaderFieldsThanMaxHeadersIs431() {
        // Host plus ten more: eleven fields for a limit of ten.
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, get("/echo", fields("X-F", 10, false)));
        assertThat(response.status()).isEqualTo(431);
    }

    @Test
    void exactlyMaxHeadersFieldsAreServed() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, get("/echo", fields("X-F", 9, false)));
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void repeatedFieldsOfOneNameCountTowardsMaxHeaders() {
        // Eleven header fields, ten of them with the same name: still more fields than max-headers.
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, get("/echo", fields("X-Same", 10, true)));
        assertThat(response.status()).isEqualTo(431);
    }

    @Test
    void aContentLengthAboveMaxBodySizeIs413BeforeTheBodyIsReadAndTheActionNeverRuns() throws InterruptedException {
        double echoedBefore = requests("limits", "echo");
        double rejectedBefore = rejected(413);
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            // Only the head and a few bytes of the announced 1000 are sent: the answer cannot wait for the body.
            client.send(OVERSIZED_HEAD);
            RoutingRawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).startsWith("413").doesNotContain("\"method\"");
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
        }
        assertThat(rejected(413)).isEqualTo(rejectedBefore + 1);
        // Had the echo action run, its exchange would have ended (failed) when the connection closed, and counted.
        Thread.sleep(300);
        assertThat(requests("limits", "echo")).isEqualTo(echoedBefore);
    }

    @Test
    void theConnectionIsClosedAfterA413ThatSaysConnectionClose() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send(OVERSIZED_HEAD);
            RoutingRawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedWithin(CLOSE_WAIT)).as("connection closed after the 413").isTrue();
        }
    }

    @Test
    void aContentLengthWithinMaxBodySizeIsServed() {
        String body = "x".repeat(100);
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, "POST /echo HTTP/1.1\r\n"
                + "Host: example.test\r\nContent-Length: 100\r\n\r\n" + body);
        assertThat(response.status()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("body")).isEqualTo(body);
    }

    private static String chunked(String target, int chunks, int chunkSize) {
        StringBuilder request = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: example.test\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < chunks; i++) {
            request.append(Integer.toHexString(chunkSize)).append("\r\n").append("c".repeat(chunkSize)).append("\r\n");
        }
        return request.append("0\r\n\r\n").toString();
    }

    /** Returns the status of the answer, or -1 when the gateway reset or closed the connection without one. */
    private static int statusOrReset(String request) {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send(request);
            return client.read().status();
        } catch (UncheckedIOException | AssertionError e) {
            return -1;
        }
    }

    @Test
    void aChunkedBodyAboveMaxBodySizeThroughAProxyRouteIs413OrAReset() {
        double backendBefore = requests("backend", "backend-echo");
        int status = statusOrReset(chunked("/proxy/upload", 6, 50));
        assertThat(status).isIn(413, -1);
        // The upstream never received a whole body, so its echo never answered a success.
        assertThat(RoutingMetrics.value(admin, "junction_http_requests_total",
                Map.of("listener", "backend", "route", "backend-echo", "class", "2xx")))
                .isEqualTo(Math.max(0, backendBefore));
    }

    @Test
    void aChunkedBodyWithinMaxBodySizeThroughAProxyRouteIsForwarded() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, chunked("/proxy/upload", 2, 50));
        assertThat(response.status()).isEqualTo(200);
        JsonObject echo = new JsonObject(response.body());
        assertThat(echo.getString("body")).isEqualTo("c".repeat(100));
        assertThat(echo.getString("path")).isEqualTo("/proxy/upload");
    }

    @Test
    void aChunkedBodyAboveMaxBodySizeIsRefusedForEveryAction() {
        // max-body-size is a listener limit: a local action such as echo must not take a larger body either.
        int status = statusOrReset(chunked("/echo", 6, 50));
        assertThat(status).isIn(413, -1);
    }

    @Test
    void aHalfSentHeadIsClosedAfterTheRequestHeaderTimeout() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send("GET /echo HTTP/1.1\r\nHost: example.test\r\n");
            assertThat(client.closedWithin(CLOSE_WAIT)).isTrue();
        }
    }

    @Test
    void aHalfSentHeadIsClosedAfterTheRequestHeaderTimeoutWithoutH2c() {
        try (RoutingRawClient client = new RoutingRawClient(http1Port)) {
            client.send("GET /echo HTTP/1.1\r\nHost: example.test\r\n");
            assertThat(client.closedWithin(CLOSE_WAIT)).isTrue();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheRequestHeaderTimeout() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            assertThat(client.closedWithin(CLOSE_WAIT)).isTrue();
        }
    }

    /** Sends the head a byte at a time, a byte every 200 ms; returns whether the gateway closed within 10 s. */
    private static boolean closedWhileDripping(RoutingRawClient client, String head) {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        int i = 0;
        while (System.nanoTime() < deadline) {
            try {
                client.send(head.substring(i % head.length(), i % head.length() + 1));
            } catch (UncheckedIOException e) {
                return true;
            }
            i++;
            if (client.closedWithin(Duration.ofMillis(200))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aSlowlyDrippedHeadIsClosedAfterTheRequestHeaderTimeoutThoughBytesKeepArriving() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            assertThat(closedWhileDripping(client, "GET /echo HTTP/1.1\r\nHost: example.test\r\nX-Slow: "
                    + "s".repeat(200))).isTrue();
        }
    }

    @Test
    void theRequestHeaderTimeoutAlsoGuardsTheNextRequestOnAKeepAliveConnection() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send(get("/echo", ""));
            assertThat(client.read().status()).isEqualTo(200);
            assertThat(closedWhileDripping(client, "GET /echo HTTP/1.1\r\nHost: example.test\r\nX-Slow: "
                    + "s".repeat(200))).isTrue();
        }
    }

    @Test
    void theRequestHeaderTimeoutAlsoGuardsTheNextRequestOnAKeepAliveConnectionWithoutH2c() {
        try (RoutingRawClient client = new RoutingRawClient(http1Port)) {
            client.send(get("/echo", ""));
            assertThat(client.read().status()).isEqualTo(200);
            assertThat(closedWhileDripping(client, "GET /echo HTTP/1.1\r\nHost: example.test\r\nX-Slow: "
                    + "s".repeat(200))).isTrue();
        }
    }

    @Test
    void aRequestSentInTimeIsServed() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send(get("/echo/one", ""));
            RoutingRawClient.Response first = client.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(new JsonObject(first.body()).getString("path")).isEqualTo("/echo/one");
        }
    }

    @Test
    void pipelinedRequestsGetTheirResponsesInOrder() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send(get("/echo/first", "") + get("/echo/second", "") + "POST /echo/third HTTP/1.1\r\n"
                    + "Host: example.test\r\nContent-Length: 5\r\n\r\nthird");
            assertThat(new JsonObject(client.read().body()).getString("path")).isEqualTo("/echo/first");
            assertThat(new JsonObject(client.read().body()).getString("path")).isEqualTo("/echo/second");
            JsonObject third = new JsonObject(client.read().body());
            assertThat(third.getString("path")).isEqualTo("/echo/third");
            assertThat(third.getString("body")).isEqualTo("third");
        }
    }
}
