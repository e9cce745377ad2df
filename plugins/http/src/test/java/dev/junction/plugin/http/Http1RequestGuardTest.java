package dev.junction.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.plugin.http.Http1RequestGuardCases.Case;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The HTTP/1.x guard on real Vert.x servers (h2c detection on and off) spoken to with raw sockets, and its decoder
 * fed every case split at every byte.
 */
class Http1RequestGuardTest {

    private static final int MAX_HEADERS = 100;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    private static Vertx vertx;
    private static Server withH2c;
    private static Server withoutH2c;

    /** A guarded server that records what reaches its request handler and answers each request 200. */
    record Server(HttpServer server, List<String> handled, AtomicInteger directRejections) {
        int port() {
            return server.actualPort();
        }
    }

    @BeforeAll
    static void startServers() throws Exception {
        vertx = Vertx.vertx();
        withH2c = start(true);
        withoutH2c = start(false);
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static Server start(boolean h2c) throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(h2c)
                .setMaxInitialLineLength(1024)
                .setMaxHeaderSize(4096);
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger directRejections = new AtomicInteger();
        HttpServer server = Http1RequestGuard.createServer(vertx, options, MAX_HEADERS, status -> {
            directRejections.incrementAndGet();
        }, java.time.Duration.ZERO, () -> { });
        server.requestHandler(request -> {
            if (!Http1RequestGuard.acceptHttp2(request)) {
                return;
            }
            String head = request.method() + " " + request.uri();
            request.body().onComplete(body -> {
                handled.add(head + (body.succeeded() ? " body=" + body.result().length() : " failed"));
                if (body.succeeded()) {
                    request.response().end("ok\n");
                }
            });
        }).invalidRequestHandler(Http1RequestGuardTest::invalidRequest);
        server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        return new Server(server, handled, directRejections);
    }

    /** As the listener does: the status the failure maps to, a short body, and the close. */
    private static void invalidRequest(HttpServerRequest request) {
        Throwable failure = request.decoderResult().cause();
        int status = failure instanceof TooLongHttpLineException ? 414
                : failure instanceof TooLongHttpHeaderException ? 431 : 400;
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close")
                .end(Buffer.buffer(status + " " + HttpResponses.reason(status) + "\n"))
                .onComplete(v -> request.connection().close());
    }

    @TestFactory
    Stream<DynamicTest> refusedRequestsAreAnsweredAndNeverReachTheHandler() {
        return Http1RequestGuardCases.refused().stream().map(each -> DynamicTest.dynamicTest(each.name(), () -> {
            for (Server server : List.of(withH2c, withoutH2c)) {
                server.handled().clear();
                Exchange exchange = exchange(server.port(), each.bytes());
                assertThat(exchange.statuses()).as("statuses for %s (h2c %s): %s", each, server == withH2c,
                        exchange.text()).containsExactly(each.status());
                assertThat(exchange.closed()).as("connection closed after %s", each).isTrue();
                assertThat(server.handled()).as("requests that reached the handler for %s", each).isEmpty();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> validRequestsReachTheHandlerWhole() {
        return Http1RequestGuardCases.valid().stream().map(each -> DynamicTest.dynamicTest(each.name(), () -> {
            for (Server server : List.of(withH2c, withoutH2c)) {
                server.handled().clear();
                boolean keepAlive = !new String(each.bytes(), StandardCharsets.ISO_8859_1).contains("HTTP/1.0");
                Exchange exchange = exchange(server.port(), each.bytes(),
                        keepAlive ? each.requests() : Integer.MAX_VALUE);
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < each.requests(); i++) {
                    expected.add(200);
                }
                assertThat(exchange.statuses()).as("statuses for %s: %s", each, exchange.text())
                        .isEqualTo(expected);
                assertThat(exchange.closed()).as("connection closed after %s", each).isEqualTo(!keepAlive);
                assertThat(server.handled()).as("requests handled for %s", each).hasSize(each.requests())
                        .noneMatch(line -> line.endsWith("failed"));
            }
        }));
    }

    @Test
    void requestsPipelinedBeforeARefusedOneAreAnsweredFirst() throws IOException {
        String valid = "GET /first HTTP/1.1\r\nHost: example.test\r\n\r\n"
                + "POST /second HTTP/1.1\r\nHost: example.test\r\nContent-Length: 4\r\n\r\nbody";
        String smuggling = "POST /third HTTP/1.1\r\nHost: example.test\r\nContent-Length: 44\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n";
        for (Server server : List.of(withH2c, withoutH2c)) {
            server.handled().clear();
            Exchange exchange = exchange(server.port(), Http1RequestGuardCases.latin1(valid + smuggling));
            assertThat(exchange.statuses()).as(exchange.text()).containsExactly(200, 200, 400);
            assertThat(exchange.closed()).isTrue();
            assertThat(server.handled()).containsExactly("GET /first body=0", "POST /second body=4");
        }
    }

    @Test
    void chunkSizeThatNettyReadsAsZeroCannotHideARequest() throws IOException {
        // Netty's decoder reads 100000000 (2^32) as 0 and would take what follows as a second request.
        String text = "POST /a HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "100000000\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n";
        Exchange exchange = exchange(withH2c.port(), Http1RequestGuardCases.latin1(text));
        assertThat(exchange.statuses()).containsExactly(400);
        assertThat(withH2c.handled()).noneMatch(line -> line.contains("smuggled"));
    }

    @Test
    void limitsAnswer414And431WithAShortBody() throws IOException {
        Exchange uri = exchange(withH2c.port(), Http1RequestGuardCases.latin1(
                "GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: example.test\r\n\r\n"));
        assertThat(uri.statuses()).containsExactly(414);
        assertThat(uri.text()).endsWith("\r\n\r\n414 URI Too Long\n");
        Exchange head = exchange(withH2c.port(), Http1RequestGuardCases.latin1(
                "GET / HTTP/1.1\r\nHost: example.test\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n"));
        assertThat(head.statuses()).containsExactly(431);
        assertThat(head.text()).endsWith("\r\n\r\n431 Request Header Fields Too Large\n");
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: example.test\r\n");
        for (int i = 1; i < MAX_HEADERS; i++) {
            many.append("X-").append(i).append(": 1\r\n");
        }
        Exchange atLimit = exchange(withH2c.port(), Http1RequestGuardCases.latin1(many + "\r\n"));
        assertThat(atLimit.statuses()).as("exactly max-headers fields").containsExactly(200);
        Exchange overLimit = exchange(withH2c.port(), Http1RequestGuardCases.latin1(many + "X-Last: 1\r\n\r\n"));
        assertThat(overLimit.statuses()).as("max-headers + 1 fields").containsExactly(431);
    }

    @Test
    void connectionsOpeningWithGarbageAreAnsweredBeforeVertxSeesThem() throws IOException {
        int before = withH2c.directRejections().get();
        Exchange exchange = exchange(withH2c.port(), Http1RequestGuardCases.latin1("\u0016\u0003\u0001hello"));
        assertThat(exchange.statuses()).containsExactly(400);
        assertThat(exchange.closed()).isTrue();
        assertThat(withH2c.directRejections().get()).isEqualTo(before + 1);
    }

    @Test
    void headArrivingOneByteAtATimeIsJudgedTheSame() throws IOException {
        for (Case each : List.of(Http1RequestGuardCases.refused().get(0), Http1RequestGuardCases.valid().get(2))) {
            for (Server server : List.of(withH2c, withoutH2c)) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.setTcpNoDelay(true);
                    try {
                        for (byte b : each.bytes()) {
                            socket.getOutputStream().write(b);
                            socket.getOutputStream().flush();
                        }
                    } catch (java.net.SocketException refusedMidway) {
                        // A refused head is answered and the connection closed as soon as the guard sees the
                        // problem, which may be before the last byte: the answer is still there to read.
                    }
                    Exchange exchange = read(socket, each.requests() == 0 ? 1 : each.requests());
                    assertThat(exchange.statuses()).as("%s byte by byte: %s", each, exchange.text())
                            .containsExactly(each.status());
                }
            }
        }
    }

    @Test
    void http2WithPriorKnowledgeAndByUpgradeStillWorks() throws Exception {
        HttpClient priorKnowledge = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        HttpClient upgrade = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(true));
        try {
            for (HttpClient client : List.of(priorKnowledge, upgrade)) {
                String body = client.request(new RequestOptions().setMethod(HttpMethod.POST)
                                .setHost("127.0.0.1").setPort(withH2c.port()).setURI("/h2"))
                        .compose(request -> request.send("payload").compose(response -> {
                            assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
                            return response.body();
                        }))
                        .await(10, TimeUnit.SECONDS).toString();
                assertThat(body).isEqualTo("ok\n");
            }
        } finally {
            priorKnowledge.close();
            upgrade.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> decoderJudgesEverySplitOfTheStreamAlike() {
        List<Case> all = new ArrayList<>(Http1RequestGuardCases.refused());
        all.addAll(Http1RequestGuardCases.valid());
        return all.stream().map(each -> DynamicTest.dynamicTest(each.name(), () -> {
            byte[] bytes = each.bytes();
            Decoded whole = decode(each.bytes(), bytes.length);
            if (each.status() == 200) {
                assertThat(whole.failed()).as("%s: %s", each, whole.events()).isFalse();
                assertThat(whole.completed()).as("%s: %s", each, whole.events()).isEqualTo(each.requests());
            } else {
                assertThat(whole.failed()).as("%s: %s", each, whole.events()).isTrue();
                assertThat(whole.started()).as("requests passed on for %s: %s", each, whole.events()).isZero();
            }
            for (int split = 1; split < bytes.length; split++) {
                Decoded parts = decode(bytes, split);
                if (each.status() == 200) {
                    assertThat(parts.events()).as("%s split at %d", each, split).isEqualTo(whole.events());
                } else {
                    // A head may be passed on before a later problem in its body has arrived; then the body
                    // fails, and no request completes.
                    assertThat(parts.failed()).as("%s split at %d: %s", each, split, parts.events()).isTrue();
                    assertThat(parts.completed()).as("%s split at %d: %s", each, split, parts.events()).isZero();
                }
            }
            Decoded byteByByte = decode(bytes, 1, true);
            if (each.status() == 200) {
                assertThat(byteByByte.events()).as("%s byte by byte", each).isEqualTo(whole.events());
            } else {
                assertThat(byteByByte.failed()).as("%s byte by byte", each).isTrue();
                assertThat(byteByByte.completed()).as("%s byte by byte", each).isZero();
            }
        }));
    }

    /** What the decoder emitted: one event per message object; failures end the list. */
    record Decoded(List<String> events) {
        boolean failed() {
            return events.stream().anyMatch(event -> event.endsWith("FAILED"));
        }

        long started() {
            return events.stream().filter(event -> event.startsWith("REQUEST ") && !event.endsWith("FAILED")).count();
        }

        long completed() {
            return events.stream().filter(event -> event.equals("END")).count();
        }
    }

    private static Decoded decode(byte[] bytes, int split) {
        return decode(bytes, split, false);
    }

    private static Decoded decode(byte[] bytes, int split, boolean everyByte) {
        EmbeddedChannel channel = new EmbeddedChannel(new Http1RequestGuardDecoder(new HttpServerOptions(), MAX_HEADERS));
        List<String> events = new ArrayList<>();
        if (everyByte) {
            for (byte b : bytes) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
                drain(channel, events);
            }
        } else {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            drain(channel, events);
            if (split < bytes.length) {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
                drain(channel, events);
            }
        }
        channel.finish();
        drain(channel, events);
        return new Decoded(merge(events));
    }

    private static void drain(EmbeddedChannel channel, List<String> events) {
        Object message;
        while ((message = channel.readInbound()) != null) {
            try {
                HttpObject object = (HttpObject) message;
                String outcome = object.decoderResult().isFailure() ? " FAILED" : "";
                if (message instanceof HttpRequest request) {
                    events.add("REQUEST " + request.method() + " " + request.uri() + outcome);
                }
                if (message instanceof HttpContent content && content.content().isReadable()) {
                    events.add("DATA " + content.content().toString(StandardCharsets.ISO_8859_1) + outcome);
                }
                if (message instanceof LastHttpContent) {
                    events.add(outcome.isEmpty() ? "END" : "END FAILED");
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
    }

    /** Joins adjacent data events, which depend on how the bytes were split. */
    private static List<String> merge(List<String> events) {
        List<String> merged = new ArrayList<>();
        for (String event : events) {
            int last = merged.size() - 1;
            if (event.startsWith("DATA ") && !event.endsWith("FAILED") && last >= 0
                    && merged.get(last).startsWith("DATA ")) {
                merged.set(last, merged.get(last) + event.substring(5));
            } else {
                merged.add(event);
            }
        }
        return merged;
    }

    /** The responses to one raw request stream. */
    record Exchange(String text, List<Integer> statuses, boolean closed) {
    }

    private static Exchange exchange(int port, byte[] request) throws IOException {
        return exchange(port, request, Integer.MAX_VALUE);
    }

    private static Exchange exchange(int port, byte[] request, int expected) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket, expected);
        }
    }

    /**
     * Reads responses until the server closes, or until {@code expected} complete responses have come (their bodies
     * end with a newline), or until at least one came and the server then stays silent for a second.
     */
    private static Exchange read(Socket socket, int expected) throws IOException {
        socket.setSoTimeout(1000);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean closed = false;
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received.write(buffer, 0, n);
                String text = received.toString(StandardCharsets.ISO_8859_1);
                if (expected != Integer.MAX_VALUE && statuses(text).size() >= expected && text.endsWith("\n")) {
                    break;
                }
            } catch (SocketTimeoutException silent) {
                if (statuses(received.toString(StandardCharsets.ISO_8859_1)).size() >= Math.min(expected, 1)
                        && (expected == Integer.MAX_VALUE
                        || statuses(received.toString(StandardCharsets.ISO_8859_1)).size() >= expected)) {
                    break;
                }
            } catch (IOException reset) {
                closed = true;
                break;
            }
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        return new Exchange(text, statuses(text), closed);
    }

    private static List<Integer> statuses(String text) {
        List<Integer> statuses = new ArrayList<>();
        Matcher matcher = STATUS_LINE.matcher(text);
        while (matcher.find()) {
            statuses.add(Integer.parseInt(matcher.group(1)));
        }
        return statuses;
    }
}
