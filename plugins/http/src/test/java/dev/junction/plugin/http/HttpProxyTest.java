package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpProxyTest {

    @TempDir
    Path dir;

    private Vertx vertx;
    private HttpClientAgent client;
    private TestBackend one;
    private TestBackend two;

    /** A response read whole: status, headers, trailers, body. */
    record Answer(int status, MultiMap headers, MultiMap trailers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        one = TestBackend.start(vertx, "one");
        two = TestBackend.start(vertx, "two");
    }

    @AfterEach
    void tearDown() {
        TestGateway.await(vertx.close());
    }

    private TestGateway gateway(String listenerOptions, String action, String upstreamExtra, String... endpoints) {
        return TestGateway.start(dir, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options: {%s}
                    routes:
                      - name: app
                        action: {proxy: {%s}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [%s]
                %s
                """.formatted(listenerOptions, action, String.join(", ", endpoints), upstreamExtra));
    }

    private Answer send(int port, HttpMethod method, String uri, MultiMap headers, Buffer body) {
        RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(method)
                .setURI(uri);
        if (headers != null) {
            options.setHeaders(headers);
        }
        return TestGateway.await(client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(),
                        response.headers(), response.trailers(), b.toString()))));
    }

    private Answer get(int port, String uri) {
        return send(port, HttpMethod.GET, uri, null, null);
    }

    @Test
    void forwardsEndToEndHeadersAndReplacesHopByHopOnes() throws Exception {
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address())) {
            String response = RawHttp.exchange(gateway.port(1), "GET /headers?q=1 HTTP/1.1\r\n"
                    + "Host: example.org\r\n"
                    + "Connection: keep-alive, x-secret\r\n"
                    + "X-Secret: named in Connection\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n"
                    + "Forwarded: for=203.0.113.9\r\n"
                    + "X-Kept: yes\r\n"
                    + "\r\n");
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
            assertFalse(head.contains("x-hop"), "a response header named in Connection is removed: " + head);
            assertFalse(head.contains("keep-alive: timeout"), head);
            assertTrue(head.contains("\r\nvia: 1.1 junction"), head);
            JsonObject json = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
            JsonObject seen = json.getJsonObject("headers");
            assertEquals("yes", seen.getString("x-kept"));
            assertNull(seen.getString("x-secret"));
            assertNull(seen.getString("proxy-authorization"));
            assertNull(seen.getString("keep-alive"));
            assertEquals("127.0.0.1", seen.getString("x-forwarded-for"), "a spoofed X-Forwarded-For is replaced");
            assertEquals("http", seen.getString("x-forwarded-proto"));
            assertEquals("example.org", seen.getString("x-forwarded-host"));
            assertEquals("for=127.0.0.1;proto=http;host=example.org", seen.getString("forwarded"));
            assertEquals("1.1 junction", seen.getString("via"));
            assertEquals("example.org", seen.getString("host"), "Host is preserved by default");
            assertEquals("/headers?q=1", json.getString("uri"));
        }
    }

    @Test
    void trustedProxiesExtendTheForwardedChain() {
        try (TestGateway gateway = gateway("trusted-proxies: [127.0.0.1/32]", "upstream: app", "", one.address())) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add("x-forwarded-for", "203.0.113.9")
                    .add("x-forwarded-proto", "https")
                    .add("forwarded", "for=203.0.113.9;proto=https");
            JsonObject seen = send(gateway.port(1), HttpMethod.GET, "/", headers, null).json()
                    .getJsonObject("headers");
            assertEquals("203.0.113.9, 127.0.0.1", seen.getString("x-forwarded-for"));
            assertEquals("https", seen.getString("x-forwarded-proto"));
            assertTrue(seen.getString("forwarded").startsWith("for=203.0.113.9;proto=https, for=127.0.0.1"),
                    seen.getString("forwarded"));
        }
    }

    @Test
    void anEndpointGivenByHostNameIsResolvedOnBothPaths() {
        String byName = "localhost:" + one.address().substring(one.address().indexOf(':') + 1);
        try (TestGateway gateway = gateway("", "upstream: app", "", byName)) {
            Answer plain = get(gateway.port(1), "/by-name");
            assertEquals(200, plain.status(), plain.body());
            assertEquals("/by-name", plain.json().getString("uri"));
            Answer withBody = send(gateway.port(1), HttpMethod.POST, "/by-name", MultiMap.caseInsensitiveMultiMap(),
                    Buffer.buffer("payload"));
            assertEquals(200, withBody.status(), withBody.body());
            assertEquals("payload", withBody.json().getString("body"));
        }
    }

    @Test
    void hostIsPreservedRewrittenToTheEndpointOrFixed() {
        try (TestGateway gateway = gateway("", "upstream: app, host: endpoint", "", one.address())) {
            assertEquals(one.address(), get(gateway.port(1), "/").json().getJsonObject("headers").getString("host"));
        }
        try (TestGateway gateway = gateway("", "upstream: app, host: api.example.org", "", one.address())) {
            assertEquals("api.example.org",
                    get(gateway.port(1), "/").json().getJsonObject("headers").getString("host"));
        }
    }

    @Test
    void roundRobinAlternatesAndTheNormalisedPathIsForwarded() {
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address(), two.address())) {
            Set<String> backends = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                JsonObject json = get(gateway.port(1), "/a/./b/../c%41?x=%2F").json();
                backends.add(json.getString("backend"));
                assertEquals("/a/cA?x=%2F", json.getString("uri"));
            }
            assertEquals(Set.of("one", "two"), backends);
        }
    }

    @Test
    void aGetThatMeetsAResetIsRetriedOnTheOtherEndpoint() {
        one.resetAll = true;
        try (TestGateway gateway = gateway("", "upstream: app", "    passive-health: {consecutive-failures: 0}",
                one.address(), two.address())) {
            for (int i = 0; i < 6; i++) {
                Answer answer = get(gateway.port(1), "/get");
                assertEquals(200, answer.status());
                assertEquals("two", answer.json().getString("backend"));
            }
            assertTrue(one.requests.get() >= 2, "round robin sent some requests to the resetting endpoint");
        }
    }

    @Test
    void aPostThatMeetsAResetIsNotRetried() {
        one.resetAll = true;
        try (TestGateway gateway = gateway("", "upstream: app", "    passive-health: {consecutive-failures: 0}",
                one.address(), two.address())) {
            int badGateway = 0;
            for (int i = 0; i < 6; i++) {
                Answer answer = send(gateway.port(1), HttpMethod.POST, "/post", null, Buffer.buffer("data"));
                if (answer.status() == 502) {
                    badGateway++;
                } else {
                    assertEquals(200, answer.status());
                }
            }
            assertTrue(badGateway > 0, "round robin sent some POSTs to the resetting endpoint");
            assertEquals(badGateway, one.requests.get(), "each failed POST reached one endpoint only");
            assertEquals(6 - badGateway, two.requests.get());
        }
    }

    @Test
    void connectFailuresAreRetriedForAnyMethod() {
        int closedPort = TestGateway.freePort();
        try (TestGateway gateway = gateway("", "upstream: app", "    passive-health: {consecutive-failures: 0}",
                "127.0.0.1:" + closedPort, one.address())) {
            for (int i = 0; i < 6; i++) {
                Answer answer = send(gateway.port(1), HttpMethod.POST, "/post", null, Buffer.buffer("body " + i));
                assertEquals(200, answer.status());
                assertEquals("body " + i, answer.json().getString("body"));
            }
        }
    }

    @Test
    void bothEndpointsDownAnswer502() {
        try (TestGateway gateway = gateway("", "upstream: app", "", "127.0.0.1:" + TestGateway.freePort(),
                "127.0.0.1:" + TestGateway.freePort())) {
            Answer answer = get(gateway.port(1), "/");
            assertEquals(502, answer.status());
            assertEquals("502 Bad Gateway\n", answer.body(), "a short body that leaks nothing");
        }
    }

    @Test
    void aSlowUpstreamAnswers504() {
        try (TestGateway gateway = gateway("", "upstream: app, timeouts: {first-byte: 300ms}, retries: {attempts: 1}",
                "", one.address())) {
            Answer answer = get(gateway.port(1), "/slow?ms=3000");
            assertEquals(504, answer.status());
            assertEquals("504 Gateway Timeout\n", answer.body());
        }
        try (TestGateway gateway = gateway("", "upstream: app, timeouts: {request: 300ms}", "", one.address())) {
            assertEquals(504, get(gateway.port(1), "/slow?ms=3000").status());
        }
        try (TestGateway gateway = gateway("", "upstream: app, timeouts: {first-byte: 0, idle: 300ms}, "
                + "retries: {attempts: 1}", "", one.address())) {
            Answer answer = get(gateway.port(1), "/slow?ms=3000");
            assertEquals(504, answer.status(), "no byte either way for longer than timeouts.idle");
        }
    }

    @Test
    void fullLimitsAnswer503WithRetryAfter() {
        try (TestGateway gateway = gateway("", "upstream: app",
                "    limits: {max-connections: 1, max-pending: 0}", one.address())) {
            Future<HttpClientResponse> slow = client.request(HttpMethod.GET, gateway.port(1), "127.0.0.1",
                    "/slow?ms=1500").compose(request -> request.send());
            TestSupport.eventually(() -> assertEquals(1, one.requests.get()));
            Answer answer = get(gateway.port(1), "/");
            assertEquals(503, answer.status());
            assertEquals("1", answer.headers().get("retry-after"));
            assertEquals(200, TestGateway.await(slow).statusCode());
        }
    }

    @Test
    void trailersPassThrough() {
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address())) {
            Answer answer = get(gateway.port(1), "/trailers");
            assertEquals("part one;part two", answer.body());
            assertEquals("abc", answer.trailers().get("x-checksum"));
        }
    }

    @Test
    void pooledUpstreamConnectionsIdleForTheKeepAliveTimeoutAreClosed() {
        try (TestGateway gateway = gateway("", "upstream: app", "    connector: {keep-alive-timeout: 1s}",
                one.address())) {
            assertEquals(200, get(gateway.port(1), "/").status());
            assertEquals(0, one.connectionsClosed.get(), "the upstream connection is kept alive after the answer");
            TestSupport.eventually(() -> assertEquals(1, one.connectionsClosed.get()));
            assertEquals(200, get(gateway.port(1), "/").status(), "a new connection serves the next request");
        }
    }

    @Test
    void aHeadRequestGetsTheHeadersWithoutABody() throws Exception {
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address())) {
            // The GET after it reuses the pooled upstream connection: a body wrongly awaited after the HEAD answer
            // would take the GET's answer for it.
            String first = RawHttp.exchange(gateway.port(1), "HEAD /bytes?n=1000 HTTP/1.1\r\nHost: example.org\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(first.startsWith("HTTP/1.1 200"), first);
            assertTrue(first.toLowerCase(java.util.Locale.ROOT).contains("content-length: 1000"), first);
            assertTrue(first.endsWith("\r\n\r\n"), "no body after the head: " + first);
            Answer second = get(gateway.port(1), "/bytes?n=10");
            assertEquals(200, second.status());
            assertEquals(10, second.body().length());
        }
    }

    @Test
    void anHttp10ClientGetsAChunkedUpstreamAnswerWhole() throws Exception {
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address())) {
            String response = RawHttp.exchange(gateway.port(1),
                    "GET /trailers HTTP/1.0\r\nHost: example.org\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.0 200") || response.startsWith("HTTP/1.1 200"), response);
            assertFalse(response.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"),
                    "HTTP/1.0 has no chunked coding: " + response);
            assertTrue(response.endsWith("part one;part two"), response);
        }
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        long size = 64L * 1024 * 1024;
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address())) {
            long[] received = {0};
            TestGateway.await(client.request(HttpMethod.GET, gateway.port(1), "127.0.0.1", "/bytes?n=" + size)
                    .compose(request -> request.send())
                    .compose(response -> {
                        response.handler(chunk -> received[0] += chunk.length());
                        return response.end();
                    }));
            assertEquals(size, received[0]);

            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            Buffer chunk = TestBackend.pattern(64 * 1024);
            for (long sent = 0; sent < size; sent += chunk.length()) {
                expected.update(chunk.getBytes());
            }
            ReadStream<Buffer> upload = new RepeatingStream(vertx, chunk, size / chunk.length());
            JsonObject result = TestGateway.await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1").setPort(gateway.port(1)).setURI("/upload"))
                    .compose(request -> {
                        request.setChunked(true);
                        return request.send(upload);
                    })
                    .compose(HttpClientResponse::body)).toJsonObject();
            assertEquals(size, result.getLong("bytes"));
            assertEquals(HexFormat.of().formatHex(expected.digest()), result.getString("sha256"));
        }
    }

    @Test
    void http2ToTheUpstreamIsIndependentOfTheClientsVersion() {
        try (TestGateway gateway = gateway("", "upstream: app", "    connector: {version: h2c}", one.address())) {
            JsonObject json = get(gateway.port(1), "/").json();
            assertEquals("HTTP_2", json.getString("version"));
            assertEquals("1.1 junction", json.getJsonObject("headers").getString("via"));
        }
        HttpClientAgent h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        try (TestGateway gateway = gateway("", "upstream: app", "", one.address())) {
            JsonObject json = TestGateway.await(h2.request(HttpMethod.POST, gateway.port(1), "127.0.0.1", "/h2")
                    .compose(request -> request.send("from h2"))
                    .compose(response -> {
                        assertEquals(HttpVersion.HTTP_2, response.version());
                        return response.body();
                    })).toJsonObject();
            assertEquals("HTTP_1_1", json.getString("version"));
            assertEquals("from h2", json.getString("body"));
            assertEquals("2 junction", json.getJsonObject("headers").getString("via"));
        }
    }

    @Test
    void weightedSplitSendsTrafficByWeight() {
        TestGateway gateway = TestGateway.start(dir, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: canary
                        action:
                          proxy:
                            split:
                              - {upstream: stable, weight: 1}
                              - {upstream: canary, weight: 0}
                upstreams:
                  stable: {protocol: http, endpoints: [%s]}
                  canary: {protocol: http, endpoints: [%s]}
                """.formatted(one.address(), two.address()));
        try (gateway) {
            for (int i = 0; i < 20; i++) {
                assertEquals("one", get(gateway.port(1), "/").json().getString("backend"));
            }
            assertEquals(0, two.requests.get());
        }
    }

    @Test
    void anUnhealthyEndpointGetsNoTraffic() {
        two.healthStatus = 500;
        try (TestGateway gateway = gateway("", "upstream: app",
                "    health-check: {interval: 100ms, unhealthy-threshold: 1}\n"
                        + "    connector: {health-check: {path: /healthz, expected-statuses: [200-299]}}",
                one.address(), two.address())) {
            TestSupport.eventually(() -> {
                two.requests.set(0);
                for (int i = 0; i < 6; i++) {
                    assertEquals(200, get(gateway.port(1), "/").status());
                }
                assertEquals(0, two.requests.get());
            });
            assertFalse(one.seen.isEmpty());
        }
    }

    @Test
    void aRouteWithoutProxyConfigIsRefused() {
        var failure = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> gateway("", "upstream: app, retries: {attempts: 0}", "", one.address()));
        assertNotNull(failure.getMessage());
        assertTrue(failure.getMessage().contains("attempts"), failure.getMessage());
    }

}
