package dev.junction.example.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.GatewayException;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.http.BlockingHttpFilter;
import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpFilter;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.Upstream;
import dev.junction.testkit.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plugin's HTTP action and filters on a real HTTP server, talked to by the JDK's HTTP client. */
class EchoHttpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static Vertx vertx;
    private static HttpClient client;
    private TestHttpRoute route;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeRoute() throws Exception {
        if (route != null) {
            route.close();
        }
    }

    private static HttpAction upperEcho(Map<String, Object> config) {
        ActionFactory factory = EchoPluginTest.plugin().actionFactories().stream()
                .filter(f -> f.name().equals("upper-echo")).findFirst().orElseThrow();
        assertThat(factory.shape()).isEqualTo(TrafficShape.EXCHANGE);
        ConfigNode node = TestConfig.at("listeners.http-in.routes[0].action.upper-echo", config);
        return (HttpAction) factory.create(new ActionFactory.ActionContext() {
            @Override
            public ConfigNode config() {
                return node;
            }

            @Override
            public Upstream upstream(ConfigNode upstreamNode) {
                throw upstreamNode.error("upper-echo uses no upstream");
            }
        });
    }

    private static FilterFactory filterFactory(String name) {
        return EchoPluginTest.plugin().filterFactories().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow();
    }

    private static Filter filter(String name, Map<String, Object> config, System.Logger logger) {
        FilterFactory factory = filterFactory(name);
        assertThat(factory.shape()).isEqualTo(TrafficShape.EXCHANGE);
        return factory.create(TestConfig.at("listeners.http-in.routes[0].filters[0]." + name, config),
                EchoPluginTest.context(vertx, logger));
    }

    private static Filter stamp(String value) {
        return filter("stamp", TestConfig.map("value", value), new RecordingLogger());
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String upperCase(String text) {
        return text.toUpperCase(Locale.ROOT);
    }

    @Test
    void upperEchoAnswersWithTheBodyUpperCasedAndStampsTheResponse() throws Exception {
        route = TestHttpRoute.start(vertx, List.of(stamp("gw1.example.test")), upperEcho(TestConfig.map()));

        String body = "hello from client.example.test, 3 times ü\n";
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(route.url("/upper")))
                .header("content-type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo("HELLO FROM CLIENT.EXAMPLE.TEST, 3 TIMES ü\n"); // only ASCII letters change
        assertThat(response.headers().allValues("x-stamp")).containsExactly("gw1.example.test");
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(response.headers().firstValue("content-length"))
                .hasValue(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        assertThat(route.outcomes).singleElement()
                .satisfies(f -> f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
    }

    @Test
    void upperEchoStreamsLargeBodiesWithAndWithoutContentLength() throws Exception {
        route = TestHttpRoute.start(vertx, List.of(), upperEcho(TestConfig.map()));
        byte[] payload = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        byte[] expected = payload.clone();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 'a' && expected[i] <= 'z') {
                expected[i] -= 'a' - 'A';
            }
        }

        HttpResponse<byte[]> sized = send(HttpRequest.newBuilder(URI.create(route.url("/sized")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)));
        assertThat(sized.statusCode()).isEqualTo(200);
        assertThat(sized.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(sized.body()).isEqualTo(expected);

        // An input stream publisher sends no Content-Length: the request and the answer are chunked.
        HttpResponse<byte[]> chunked = send(HttpRequest.newBuilder(URI.create(route.url("/chunked")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(payload))));
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertThat(chunked.headers().firstValue("content-length")).isEmpty();
        assertThat(chunked.body()).isEqualTo(expected);

        HttpResponse<byte[]> empty = send(HttpRequest.newBuilder(URI.create(route.url("/empty"))).GET());
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();
    }

    @Test
    void upperEchoFailsAsADownstreamFailureWhenTheClientResetsMidBody() throws Exception {
        route = TestHttpRoute.start(vertx, List.of(), upperEcho(TestConfig.map()));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", route.port()), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /cut HTTP/1.1\r\nhost: echo.example.test\r\ncontent-length: 100000\r\n\r\n"
                    + "only a little").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The echo of what was sent arrives before the rest of the body: the answer streams.
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            while (!received.toString(StandardCharsets.US_ASCII).endsWith("ONLY A LITTLE")) {
                int read = in.read(buffer);
                assertThat(read).as("bytes before the echo of the body: " + received).isPositive();
                received.write(buffer, 0, read);
            }
            assertThat(received.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("content-length: 100000\r\n");
            socket.setSoLinger(true, 0); // close with a reset
        }
        // A failure from downstream: the listener resets the response and logs it at debug level only.
        assertThat(route.outcomes).singleElement().satisfies(f -> assertThatThrownBy(
                () -> f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.source()).isEqualTo(GatewayException.Source.DOWNSTREAM);
                    assertThat(e.getMessage()).startsWith("upper-echo: ");
                }));
    }

    @Test
    void stampAddsTheRequestHeaderTheActionSeesAndTheResponseHeaderTheClientSees() throws Exception {
        // Two stamps, as two gateways in a row would add: each adds its own value on both sides.
        HttpAction showStamps = exchange -> exchange.respond(200, "text/plain",
                Buffer.buffer(String.join(",", exchange.request().headers().getAll("x-stamp"))));
        route = TestHttpRoute.start(vertx, List.of(stamp("gw1.example.test"), stamp("gw2.example.test")), showStamps);

        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(route.url("/stamps")))
                .header("x-stamp", "edge.example.test"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo("edge.example.test,gw1.example.test,gw2.example.test");
        // Response phases run in reverse chain order.
        assertThat(response.headers().allValues("x-stamp")).containsExactly("gw2.example.test", "gw1.example.test");
    }

    @Test
    void stampAnswers508ToARequestThatAlreadyCarriesItsStamp() throws Exception {
        route = TestHttpRoute.start(vertx, List.of(stamp("gw1.example.test")), upperEcho(TestConfig.map()));

        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(route.url("/loop")))
                .header("x-stamp", "gw1.example.test")
                .POST(HttpRequest.BodyPublishers.ofString("not echoed")));

        assertThat(response.statusCode()).isEqualTo(508);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("stamp: forwarding loop\n");
        assertThat(response.headers().allValues("x-stamp")).as("the response phase ran for the local answer")
                .containsExactly("gw1.example.test");
        assertThat(route.outcomes).singleElement().satisfies(f -> assertThatThrownBy(
                () -> f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(TestHttpRoute.FilterStopped.class)
                .hasMessageContaining("stamp: forwarding loop"));
    }

    @Test
    void stampIsAnAsynchronousFilterWithDefaultsAndCheckedOptions() {
        FilterFactory factory = filterFactory("stamp");
        assertThat(factory.style()).isEqualTo(ExecutionStyle.ASYNC);
        assertThat(filter("stamp", TestConfig.map(), new RecordingLogger())).isInstanceOf(HttpFilter.class);
        assertThat(factory.create(TestConfig.missing("listeners.http-in.routes[0].filters[0].stamp"),
                EchoPluginTest.context(vertx, new RecordingLogger()))).isInstanceOf(HttpFilter.class);

        assertThatThrownBy(() -> filter("stamp", TestConfig.map("header", "x stamp"), new RecordingLogger()))
                .hasMessageContaining("filters[0].stamp.header: \"x stamp\" (expected: a header name");
        assertThatThrownBy(() -> filter("stamp", TestConfig.map("value", "a\nb"), new RecordingLogger()))
                .hasMessageContaining("filters[0].stamp.value:").hasMessageContaining("(expected: printable");
        assertThatThrownBy(() -> filter("stamp", TestConfig.map("vaule", "x"), new RecordingLogger()))
                .hasMessageContaining("filters[0].stamp.vaule: unknown key");
        assertThatThrownBy(() -> upperEcho(TestConfig.map("greeting", "hi")))
                .hasMessageContaining("action.upper-echo.greeting: unknown key");
        assertThat(upperEcho(TestConfig.map()).describe()).isEqualTo("upper-echo");
    }

    @Test
    void logRequestsIsABlockingFilterThatLogsEachRequestAndProceeds() throws Exception {
        FilterFactory factory = filterFactory("log-requests");
        assertThat(factory.style()).isEqualTo(ExecutionStyle.BLOCKING);
        RecordingLogger logger = new RecordingLogger();
        Filter logRequests = filter("log-requests", TestConfig.map(), logger);
        assertThat(logRequests).isInstanceOf(BlockingHttpFilter.class);
        route = TestHttpRoute.start(vertx, List.of(logRequests, stamp("gw1.example.test")),
                upperEcho(TestConfig.map()));

        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(route.url("/logged?q=1")))
                .PUT(HttpRequest.BodyPublishers.ofString("abc")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(upperCase("abc"));
        assertThat(logger.lines).singleElement().asString()
                .isEqualTo("PUT /logged from 127.0.0.1 on listener http-in, route upper");
    }
}
