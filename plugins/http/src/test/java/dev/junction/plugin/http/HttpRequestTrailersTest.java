package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private RecordingBackend backend;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        backend = new RecordingBackend();
    }

    @AfterEach
    void tearDown() {
        backend.close();
        TestGateway.await(vertx.close());
    }

    private TestGateway gateway(String listenerOptions, String upstreamExtra, String endpoint) {
        return TestGateway.start(dir, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options: {%s}
                    routes:
                      - name: hello
                        match: {path: {prefix: /hello}}
                        action: {respond: {status: 200, body: "hello\\n"}}
                      - name: app
                        action: {proxy: {upstream: app}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [%s]
                %s
                """.formatted(listenerOptions, endpoint, upstreamExtra));
    }

    private static String post(String path) {
        return CHUNKED_POST.formatted(path);
    }

    @Test
    void trailersOfAChunkedRequestFollowTheLastChunkUpstream() throws IOException {
        for (String options : List.of("", "fast-path: false")) {
            backend.requests.clear();
            try (TestGateway gateway = gateway(options, "", backend.address());
                    Client client = new Client(gateway.port(1))) {
                client.send(post("/upload") + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n"
                        + "X-Digest: sha-256=x\r\n\r\n");
                assertEquals("ok", client.okBody(), options);
                Request seen = backend.only();
                assertEquals("chunked", seen.header("transfer-encoding"), options);
                assertEquals("hello world", seen.body(), options);
                assertEquals("0\r\nX-Checksum: abc\r\nX-Digest: sha-256=x\r\n\r\n", seen.lastChunk(), options);
            }
        }
    }

    @Test
    void anEmptyBodyStillCarriesItsTrailers() throws IOException {
        try (TestGateway gateway = gateway("", "", backend.address());
                Client client = new Client(gateway.port(1))) {
            client.send(post("/empty") + "0\r\nX-Checksum: abc\r\n\r\n");
            assertEquals("ok", client.okBody());
            Request seen = backend.only();
            assertEquals("chunked", seen.header("transfer-encoding"));
            assertEquals("", seen.body());
            assertEquals("0\r\nX-Checksum: abc\r\n\r\n", seen.lastChunk());
        }
    }

    @Test
    void trailerFieldsThatMustNotTrailAreNotForwarded() throws IOException {
        try (TestGateway gateway = gateway("", "", backend.address());
                Client client = new Client(gateway.port(1))) {
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
            assertEquals("ok", client.okBody());
            Request seen = backend.only();
            assertEquals("hi", seen.body());
            assertEquals("0\r\nX-Checksum: abc\r\nX-Kept: yes\r\n\r\n", seen.lastChunk());
            assertNull(seen.header("x-secret"));
            assertEquals("example.test", seen.header("host"));
        }
    }

    @Test
    void pipelinedRequestsKeepTheirOwnTrailers() throws IOException {
        try (TestGateway gateway = gateway("", "", backend.address());
                Client client = new Client(gateway.port(1))) {
            // All in one write: every request's end has passed the connection's pipeline before the first one is
            // forwarded. A request on the fast lane and one answered by the gateway itself come in between.
            client.send("GET /lane HTTP/1.1\r\nHost: example.test\r\n\r\n"
                    + post("/first") + "1\r\na\r\n0\r\nX-Checksum: first\r\n\r\n"
                    + post("/second") + "1\r\nb\r\n0\r\n\r\n"
                    + post("/hello") + "1\r\nc\r\n0\r\nX-Checksum: respond\r\n\r\n"
                    + post("/third") + "1\r\nd\r\n0\r\n\r\n"
                    + post("/fourth") + "1\r\ne\r\n0\r\nX-Checksum: fourth\r\n\r\n");
            assertEquals("ok", client.okBody());
            assertEquals("ok", client.okBody());
            assertEquals("ok", client.okBody());
            assertEquals("hello\n", client.okBody());
            assertEquals("ok", client.okBody());
            assertEquals("ok", client.okBody());
            List<Request> seen = backend.requests;
            assertEquals(List.of("/lane", "/first", "/second", "/third", "/fourth"),
                    seen.stream().map(Request::target).toList());
            assertEquals("0\r\nX-Checksum: first\r\n\r\n", seen.get(1).lastChunk());
            assertEquals("0\r\n\r\n", seen.get(2).lastChunk(), "the second request ended without trailers");
            assertEquals("0\r\n\r\n", seen.get(3).lastChunk(), "the respond route's trailers go nowhere");
            assertEquals("0\r\nX-Checksum: fourth\r\n\r\n", seen.get(4).lastChunk());
            assertEquals("e", seen.get(4).body());
        }
    }

    @Test
    void anH2cUpstreamGetsTheBodyWithoutTheTrailers() throws IOException {
        TestBackend h2c = TestBackend.start(vertx, "h2c");
        try (TestGateway gateway = gateway("", "    connector: {version: h2c}", h2c.address());
                Client client = new Client(gateway.port(1))) {
            client.send(post("/echo") + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n");
            JsonObject json = new JsonObject(client.okBody());
            assertEquals("HTTP_2", json.getString("version"));
            assertEquals("hello", json.getString("body"));
            assertFalse(json.getJsonObject("headers").containsKey("x-checksum"), json.encode());
            // The connection carries on.
            client.send(post("/again") + "2\r\nhi\r\n0\r\n\r\n");
            assertEquals("hi", new JsonObject(client.okBody()).getString("body"));
        }
    }

    /** A request as an upstream read it: the head, and the chunked body as received (framing included). */
    record Request(String head, String rawBody) {

        String target() {
            return head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        /** Returns the body without its framing. */
        String body() {
            StringBuilder body = new StringBuilder();
            int p = 0;
            while (true) {
                int lineEnd = rawBody.indexOf("\r\n", p);
                int size = Integer.parseInt(rawBody.substring(p, lineEnd), 16);
                if (size == 0) {
                    return body.toString();
                }
                body.append(rawBody, lineEnd + 2, lineEnd + 2 + size);
                p = lineEnd + 2 + size + 2;
            }
        }

        /** Returns the last chunk and the trailer section, up to the end of the request. */
        String lastChunk() {
            int p = 0;
            while (true) {
                int lineEnd = rawBody.indexOf("\r\n", p);
                int size = Integer.parseInt(rawBody.substring(p, lineEnd), 16);
                if (size == 0) {
                    return rawBody.substring(p);
                }
                p = lineEnd + 2 + size + 2;
            }
        }
    }

    /** A client on a raw socket: sends bytes as given, reads responses with a {@code Content-Length} body. */
    private static final class Client implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;

        Client(int port) throws IOException {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** Reads the next response, asserts it is a 200, and returns its body. */
        String okBody() throws IOException {
            String head = readHead(in);
            assertTrue(head != null && head.startsWith("HTTP/1.1 200 "), String.valueOf(head));
            String length = new Request(head, "").header("content-length");
            assertTrue(length != null, head);
            return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads a head up to its empty line; returns null at an end of stream before its first byte. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("end of stream inside a head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (head.size() > 65_536) {
                throw new IOException("head too large");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a line including its CRLF. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream inside a line: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            line.write(b);
            if (previous == '\r' && b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            previous = b;
        }
    }

    /**
     * An HTTP/1.1 upstream on a raw {@link ServerSocket} that records each request with its chunked body as the
     * bytes arrived, and answers {@code ok}.
     */
    private static final class RecordingBackend {
        private final ServerSocket server;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;
        /** The requests in arrival order, recorded before they are answered. */
        final List<Request> requests = new CopyOnWriteArrayList<>();

        RecordingBackend() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofPlatform().daemon().name("recording-backend-accept").start(this::accept);
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        /** Returns the one request received. */
        Request only() {
            assertEquals(1, requests.size(), requests.toString());
            return requests.get(0);
        }

        private void accept() {
            while (!closed) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread.ofPlatform().daemon().name("recording-backend-connection").start(() -> serve(socket));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                socket.setSoTimeout(30_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                String head;
                while (!closed && (head = readHead(in)) != null) {
                    Request request = new Request(head, "");
                    String length = request.header("content-length");
                    if ("chunked".equalsIgnoreCase(request.header("transfer-encoding"))) {
                        request = new Request(head, readChunked(in));
                    } else if (length != null) {
                        in.readNBytes(Integer.parseInt(length));
                    }
                    requests.add(request);
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the gateway closed the connection, or the test ended
            } finally {
                sockets.remove(socket);
            }
        }

        /** Reads a chunked body up to the end of its trailer section, framing included. */
        private static String readChunked(InputStream in) throws IOException {
            StringBuilder raw = new StringBuilder();
            while (true) {
                String sizeLine = readLine(in);
                raw.append(sizeLine);
                int size = Integer.parseInt(sizeLine.trim().toLowerCase(Locale.ROOT), 16);
                if (size == 0) {
                    String line;
                    do {
                        line = readLine(in);
                        raw.append(line);
                    } while (!line.equals("\r\n"));
                    return raw.toString();
                }
                raw.append(new String(in.readNBytes(size + 2), StandardCharsets.ISO_8859_1));
            }
        }

        void close() {
            closed = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
