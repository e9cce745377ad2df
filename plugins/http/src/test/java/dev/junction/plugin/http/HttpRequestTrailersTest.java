package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trailer fields of chunked HTTP/1.1 requests on their way through the proxy ({@link Http1RequestTrailers},
 * {@link ProxyCall}, {@link Http1Connection}): what a raw upstream receives after the last chunk, which fields are
 * left out, that pipelined requests keep their own, and that an h2c upstream still gets the request without them.
 */
class HttpRequestTrailersTest {

    private static final String CHUNKED_POST = "POST %s HTTP/1.1\r\nHost: example.test\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    @TempDir
    Path dir;

    private Vertx vertx;
    private RawUpstream backend;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        backend = new RawUpstream((head, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        });
    }

    @AfterEach
    void tearDown() {
        backend.close();
        TestGateway.await(vertx.close());
    }

    private TestGateway gateway(String listenerOptions, String upstreamExtra, String endpoint) {
        return TestGateway.proxying(dir, listenerOptions, "", upstreamExtra, endpoint);
    }

    private static String post(String path) {
        return CHUNKED_POST.formatted(path);
    }

    @Test
    void trailersOfAChunkedRequestFollowTheLastChunkUpstream() {
        for (String options : List.of("", "fast-path: false")) {
            backend.requests.clear();
            try (TestGateway gateway = gateway(options, "", backend.address());
                    RoutingRawClient client = new RoutingRawClient(gateway.port(1))) {
                client.send(post("/upload") + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n"
                        + "X-Digest: sha-256=x\r\n\r\n");
                assertEquals("ok", okBody(client), options);
                RawUpstream.Request seen = backend.only();
                assertEquals("chunked", seen.header("transfer-encoding"), options);
                assertEquals("hello world", seen.body(), options);
                assertEquals("0\r\nX-Checksum: abc\r\nX-Digest: sha-256=x\r\n\r\n", seen.lastChunk(), options);
            }
        }
    }

    @Test
    void anEmptyBodyStillCarriesItsTrailers() {
        try (TestGateway gateway = gateway("", "", backend.address());
                RoutingRawClient client = new RoutingRawClient(gateway.port(1))) {
            client.send(post("/empty") + "0\r\nX-Checksum: abc\r\n\r\n");
            assertEquals("ok", okBody(client));
            RawUpstream.Request seen = backend.only();
            assertEquals("chunked", seen.header("transfer-encoding"));
            assertEquals("", seen.body());
            assertEquals("0\r\nX-Checksum: abc\r\n\r\n", seen.lastChunk());
        }
    }

    @Test
    void trailerFieldsThatMustNotTrailAreNotForwarded() {
        try (TestGateway gateway = gateway("", "", backend.address());
                RoutingRawClient client = new RoutingRawClient(gateway.port(1))) {
            client.send("POST /upload HTTP/1.1\r\nHost: example.test\r\nConnection: x-secret\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nhi\r\n0\r\n"
                    + "X-Checksum: abc\r\n"
                    + "Content-Length: 99\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + "Host: evil.test\r\n"
                    + "Connection: close\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-Checksum\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "X-Secret: named in Connection\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n"
                    + "Forwarded: for=203.0.113.9\r\n"
                    + "Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Content-Type: text/evil\r\n"
                    + "If-Match: \"x\"\r\n"
                    + "X-Kept: yes\r\n"
                    + "\r\n");
            assertEquals("ok", okBody(client));
            RawUpstream.Request seen = backend.only();
            assertEquals("hi", seen.body());
            assertEquals("0\r\nX-Checksum: abc\r\nX-Kept: yes\r\n\r\n", seen.lastChunk());
            assertNull(seen.header("x-secret"));
            assertEquals("example.test", seen.header("host"));
        }
    }

    @Test
    void pipelinedRequestsKeepTheirOwnTrailers() {
        try (TestGateway gateway = gateway("", "", backend.address());
                RoutingRawClient client = new RoutingRawClient(gateway.port(1))) {
            // All in one write: every request's end has passed the connection's pipeline before the first one is
            // forwarded. A request on the fast lane and one answered by the gateway itself come in between.
            client.send("GET /lane HTTP/1.1\r\nHost: example.test\r\n\r\n"
                    + post("/first") + "1\r\na\r\n0\r\nX-Checksum: first\r\n\r\n"
                    + post("/second") + "1\r\nb\r\n0\r\n\r\n"
                    + post("/hello") + "1\r\nc\r\n0\r\nX-Checksum: respond\r\n\r\n"
                    + post("/third") + "1\r\nd\r\n0\r\n\r\n"
                    + post("/fourth") + "1\r\ne\r\n0\r\nX-Checksum: fourth\r\n\r\n");
            assertEquals("ok", okBody(client));
            assertEquals("ok", okBody(client));
            assertEquals("ok", okBody(client));
            assertEquals("hello\n", okBody(client));
            assertEquals("ok", okBody(client));
            assertEquals("ok", okBody(client));
            List<RawUpstream.Request> seen = backend.requests;
            assertEquals(List.of("/lane", "/first", "/second", "/third", "/fourth"),
                    seen.stream().map(RawUpstream.Request::target).toList());
            assertEquals("0\r\nX-Checksum: first\r\n\r\n", seen.get(1).lastChunk());
            assertEquals("0\r\n\r\n", seen.get(2).lastChunk(), "the second request ended without trailers");
            assertEquals("0\r\n\r\n", seen.get(3).lastChunk(), "the respond route's trailers go nowhere");
            assertEquals("0\r\nX-Checksum: fourth\r\n\r\n", seen.get(4).lastChunk());
            assertEquals("e", seen.get(4).body());
        }
    }

    @Test
    void anH2cUpstreamGetsTheBodyWithoutTheTrailers() {
        TestBackend h2c = TestBackend.start(vertx, "h2c");
        try (TestGateway gateway = gateway("", "    connector: {version: h2c}", h2c.address());
                RoutingRawClient client = new RoutingRawClient(gateway.port(1))) {
            client.send(post("/echo") + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n");
            JsonObject json = new JsonObject(okBody(client));
            assertEquals("HTTP_2", json.getString("version"));
            assertEquals("hello", json.getString("body"));
            assertFalse(json.getJsonObject("headers").containsKey("x-checksum"), json.encode());
            // The connection carries on.
            client.send(post("/again") + "2\r\nhi\r\n0\r\n\r\n");
            assertEquals("hi", new JsonObject(okBody(client)).getString("body"));
        }
    }

    /** Reads the next response, asserts it is an HTTP/1.1 200 with a {@code Content-Length}, and returns its body. */
    private static String okBody(RoutingRawClient client) {
        RoutingRawClient.Response response = client.read();
        assertEquals("HTTP/1.1", response.version(), response.toString());
        assertEquals(200, response.status(), response.toString());
        assertNotNull(response.header("content-length"), response.toString());
        return response.body();
    }
}
