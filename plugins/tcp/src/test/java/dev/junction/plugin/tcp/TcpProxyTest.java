package dev.junction.plugin.tcp;

import dev.junction.testkit.TestConfig;
import dev.junction.testkit.TestPluginContext;

import static dev.junction.plugin.tcp.TcpTestSupport.await;
import static dev.junction.plugin.tcp.TcpTestSupport.closedPort;
import static dev.junction.plugin.tcp.TcpTestSupport.connect;
import static dev.junction.plugin.tcp.TcpTestSupport.eventually;
import static dev.junction.plugin.tcp.TcpTestSupport.greeter;
import static dev.junction.plugin.tcp.TcpTestSupport.read;
import static dev.junction.plugin.tcp.TcpTestSupport.readToEnd;
import static dev.junction.testkit.TestConfig.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.spi.GatewayException;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.route.Route;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.upstream.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private static Vertx vertx;
    private static NetServer echo;

    private TestPluginContext plugin;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<TcpConnector> connectors = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        echo = TcpTestSupport.echoServer(vertx);
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    @BeforeEach
    void newPlugin() {
        plugin = new TestPluginContext(vertx, "tcp");
    }

    @AfterEach
    void stopListeners() {
        for (Listener listener : listeners) {
            await(listener.stop(Duration.ZERO));
        }
        for (TcpConnector connector : connectors) {
            await(connector.close());
        }
        eventually(() -> assertThat(plugin.testTasks().openRootScopes()).as("open connection scopes").isZero());
    }

    private TcpListener listener(Map<String, Object> options, int instances, Route... routes) {
        TcpListener listener = (TcpListener) new TcpListenerFactory()
                .create(TestRoutes.listener("tcp-in", options, instances, plugin));
        listener.routes(List.of(routes));
        listeners.add(listener);
        await(listener.start());
        return listener;
    }

    private static int port(Listener listener) {
        return listener.boundAddress().orElseThrow().port();
    }

    private TcpConnector connector(Map<String, Object> options) {
        TcpConnector connector = (TcpConnector) new TcpConnectorFactory()
                .create("app", TestConfig.at("upstreams.app.connector", options), plugin);
        connectors.add(connector);
        return connector;
    }

    private StreamAction proxy(TestUpstream upstream, Map<String, Object> options) {
        Map<String, Object> config = new java.util.LinkedHashMap<>(options);
        config.put("upstream", upstream.name());
        return (StreamAction) new ProxyActionFactory().create(TestRoutes.actionContext(config, upstream));
    }

    private TestUpstream upstream(TcpConnector connector, int... ports) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int port : ports) {
            endpoints.add(Endpoint.of("127.0.0.1", port));
        }
        return new TestUpstream("app", "tcp", connector, endpoints);
    }

    @Test
    void proxiesSeveralMebibytesIntact() throws Exception {
        TestUpstream upstream = upstream(connector(map()), echo.actualPort());
        TcpListener listener = listener(map(), 4, TestRoutes.route("all", proxy(upstream, map())));
        byte[] payload = new byte[4 * 1024 * 1024 + 17];
        new Random(42).nextBytes(payload);

        byte[] received;
        try (Socket client = connect(port(listener))) {
            OutputStream out = client.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(payload);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            received = client.getInputStream().readNBytes(payload.length);
            writer.get();
        }

        assertThat(received).isEqualTo(payload);
        MeterRegistry registry = plugin.meterRegistry();
        eventually(() -> {
            assertThat(registry.get("junction.tcp.bytes.received").tag("listener", "tcp-in").counter().count())
                    .isEqualTo(payload.length);
            assertThat(registry.get("junction.tcp.bytes.sent").counter().count()).isEqualTo(payload.length);
            assertThat(registry.get("junction.tcp.connections.active").gauge().value()).isZero();
            assertThat(registry.get("junction.tcp.connection.duration").timer().count()).isEqualTo(1);
            assertThat(upstream.outcomes()).containsExactly("success 127.0.0.1:" + echo.actualPort());
        });
        assertThat(registry.get("junction.tcp.connections.accepted").counter().count()).isEqualTo(1);
    }

    @Test
    void readingResumesWhenAClientThatStoppedReadingCatchesUp() throws Exception {
        TestUpstream upstream = upstream(connector(map()), echo.actualPort());
        TcpListener listener = listener(map(), 1, TestRoutes.route("all", proxy(upstream, map())));
        byte[] payload = new byte[32 * 1024 * 1024];
        new Random(7).nextBytes(payload);

        try (Socket client = connect(port(listener))) {
            client.setSoTimeout(20_000);
            OutputStream out = client.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(payload);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Not reading for a while fills every buffer on the way back, so the gateway must stop reading
            // both sockets and start again once this client drains them.
            Thread.sleep(1_000);
            byte[] received = client.getInputStream().readNBytes(payload.length);
            writer.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(received).isEqualTo(payload);
        }
    }

    @Test
    void halfClosedRequestStillGetsTheWholeAnswer() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = backend.accept()) {
                    // Answer only after the client's FIN arrived through the gateway.
                    byte[] request = readToEnd(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write(("received " + request.length + " bytes\n").getBytes(StandardCharsets.UTF_8));
                    out.write(new byte[256 * 1024]);
                    out.flush();
                    socket.shutdownOutput();
                    assertThat(socket.getInputStream().read()).isEqualTo(-1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TestUpstream upstream = upstream(connector(map()), backend.getLocalPort());
            TcpListener listener = listener(map(), 1, TestRoutes.route("all", proxy(upstream, map())));

            byte[] answer;
            try (Socket client = connect(port(listener))) {
                client.getOutputStream().write(new byte[100_000]);
                client.shutdownOutput();
                answer = readToEnd(client.getInputStream());
            }

            served.get();
            String header = "received 100000 bytes\n";
            assertThat(new String(answer, 0, header.length(), StandardCharsets.UTF_8)).isEqualTo(header);
            assertThat(answer).hasSize(header.length() + 256 * 1024);
        }
    }

    @Test
    void upstreamFinBehindBytesHeldForASlowClientLosesNothing() throws Exception {
        int size = 4 * 1024 * 1024;
        try (ServerSocket backend = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = backend.accept()) {
                    // Everything at once, then FIN: the gateway sees the FIN while it still holds unread bytes
                    // for a client that is not reading yet.
                    OutputStream out = socket.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        java.util.Arrays.fill(chunk, (byte) (sent / chunk.length));
                        out.write(chunk);
                    }
                    socket.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TestUpstream upstream = upstream(connector(map()), backend.getLocalPort());
            TcpListener listener = listener(map(), 1, TestRoutes.route("all", proxy(upstream, map())));

            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(16 * 1024); // a small window, so the gateway's writes back up quickly
                client.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port(listener)));
                client.setSoTimeout(20_000);
                served.get(20, java.util.concurrent.TimeUnit.SECONDS); // FIN sent while nobody reads
                byte[] received = readToEnd(client.getInputStream());
                assertThat(received).hasSize(size);
                for (int offset = 0; offset < size; offset += 64 * 1024) {
                    assertThat(received[offset]).as("chunk at %d", offset).isEqualTo((byte) (offset / (64 * 1024)));
                }
            }
        }
    }

    @Test
    void connectFailureOnFirstEndpointRetriesTheSecond() throws Exception {
        int refused = closedPort();
        TestUpstream upstream = upstream(connector(map()), refused, echo.actualPort());
        TcpListener listener = listener(map(), 1, TestRoutes.route("all", proxy(upstream, map("connect-attempts", 2))));

        try (Socket client = connect(port(listener))) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(read(client.getInputStream(), 4)).isEqualTo("ping");
        }

        eventually(() -> assertThat(upstream.outcomes())
                .containsExactly("failure 127.0.0.1:" + refused, "success 127.0.0.1:" + echo.actualPort()));
    }

    @Test
    void allAttemptsFailingClosesTheClientAndFailsWithTheLastError() throws Exception {
        int refused = closedPort();
        TestUpstream upstream = upstream(connector(map()), refused);
        TcpListener listener = listener(map(), 1, TestRoutes.route("all", proxy(upstream, map("connect-attempts", 3))));

        try (Socket client = connect(port(listener))) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        // One endpoint only: the second attempt finds nothing left to try.
        eventually(() -> assertThat(upstream.outcomes()).containsExactly("failure 127.0.0.1:" + refused));
        assertThat(upstream.activeLeases()).isZero();
        eventually(() -> assertThat(listener.activeConnections()).isZero());
    }

    @Test
    void connectorReportsRefusedConnectionsAsRetryableUpstreamFailures() throws Exception {
        int refused = closedPort();
        TcpConnector connector = connector(map("connect-timeout", "2s"));

        Throwable failure = await(connector.connect(Endpoint.of("127.0.0.1", refused), connector.connectTimeout())
                .<Throwable>map(stream -> null).otherwise(cause -> cause));

        assertThat(failure).isInstanceOf(GatewayException.class)
                .hasMessage("tcp: connect to 127.0.0.1:" + refused + " failed: Connection refused");
        assertThat(((GatewayException) failure).source()).isEqualTo(GatewayException.Source.UPSTREAM);
        assertThat(((GatewayException) failure).retryable()).isTrue();
        Throwable probe = await(connector.probe(Endpoint.of("127.0.0.1", refused), Duration.ofSeconds(1))
                .<Throwable>map(v -> null).otherwise(cause -> cause));
        assertThat(probe).isInstanceOf(GatewayException.class);
        assertThat(await(connector.probe(Endpoint.of("127.0.0.1", echo.actualPort()), Duration.ofSeconds(1))))
                .isNull();
    }

    @Test
    void connectorReturnsAPausedStream() {
        TcpConnector connector = connector(map());
        DuplexStream stream = await(connector.connect(Endpoint.of("127.0.0.1", echo.actualPort()), Duration.ZERO));
        assertThat(stream.remoteAddress().port()).isEqualTo(echo.actualPort());
        await(stream.close());
    }

    @Test
    void idleTimeoutClosesAnIdleConnection() throws Exception {
        TcpListener listener = listener(map("idle-timeout", "300ms"), 1, TestRoutes.route("all", greeter("hi")));

        try (Socket client = connect(port(listener))) {
            assertThat(read(client.getInputStream(), 2)).isEqualTo("hi");
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        eventually(() -> assertThat(listener.activeConnections()).isZero());
    }

    @Test
    void routeSwapAffectsNewConnectionsOnly() throws Exception {
        TcpListener listener = listener(map(), 2, TestRoutes.route("old", greeter("A")));

        try (Socket before = connect(port(listener))) {
            assertThat(read(before.getInputStream(), 1)).isEqualTo("A");

            listener.routes(List.of(TestRoutes.route("new", greeter("B"))));

            try (Socket after = connect(port(listener))) {
                assertThat(read(after.getInputStream(), 1)).isEqualTo("B");
            }
            // The old connection still runs the old route's action.
            before.getOutputStream().write("still here".getBytes(StandardCharsets.UTF_8));
            assertThat(read(before.getInputStream(), 10)).isEqualTo("still here");
        }
    }

    @Test
    void connectionMatchingNoRouteIsClosedAndCounted() throws Exception {
        TcpListener listener = listener(map(), 1,
                TestRoutes.route("private", map("source", List.of("10.0.0.0/8", "fd00::/8")), greeter("no")));

        try (Socket client = connect(port(listener))) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        eventually(() -> assertThat(plugin.meterRegistry().get("junction.tcp.connections.rejected")
                .tag("reason", "no-route").counter().count()).isEqualTo(1));
    }

    @Test
    void sourceMatchPicksTheFirstFittingRoute() throws Exception {
        TcpListener listener = listener(map(), 1,
                TestRoutes.route("private", map("source", List.of("10.0.0.0/8")), greeter("P")),
                TestRoutes.route("loopback", map("source", List.of("127.0.0.0/8", "::1")), greeter("L")),
                TestRoutes.route("rest", greeter("R")));

        try (Socket client = connect(port(listener))) {
            assertThat(read(client.getInputStream(), 1)).isEqualTo("L");
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreClosedAndCounted() throws Exception {
        TcpListener listener = listener(map("max-connections", 1), 1, TestRoutes.route("all", greeter("1")));

        try (Socket first = connect(port(listener))) {
            assertThat(read(first.getInputStream(), 1)).isEqualTo("1");
            try (Socket second = connect(port(listener))) {
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(listener.activeConnections()).isEqualTo(1);
        }
        assertThat(plugin.meterRegistry().get("junction.tcp.connections.rejected")
                .tag("reason", "limit").counter().count()).isEqualTo(1);
    }

    @Test
    void stopStopsAcceptingAndClosesConnectionsLeftAfterTheDrainTimeout() throws Exception {
        TcpListener listener = listener(map(), 2, TestRoutes.route("all", greeter("x")));
        int port = port(listener);

        try (Socket client = connect(port)) {
            assertThat(read(client.getInputStream(), 1)).isEqualTo("x");
            var stopped = listener.stop(Duration.ofMillis(300));
            // No new connections while draining, but the open one still works.
            eventually(() -> assertThat(listener.boundAddress()).isEmpty());
            client.getOutputStream().write('y');
            assertThat(read(client.getInputStream(), 1)).isEqualTo("y");
            await(stopped);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(listener.activeConnections()).isZero();
        try (Socket refused = new Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> refused.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000))
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void stopAfterNoStartSucceeds() {
        Listener listener = new TcpListenerFactory().create(TestRoutes.listener("idle", map(), 1, plugin));
        await(listener.stop(Duration.ofSeconds(1)));
        assertThat(listener.boundAddress()).isEmpty();
    }

    @Test
    void portZeroWithSeveralInstancesSharesOneRealPort() throws Exception {
        TcpListener listener = listener(map(), 4, TestRoutes.route("all", greeter("s")));
        int port = port(listener);
        assertThat(port).isPositive();
        for (int i = 0; i < 8; i++) {
            try (Socket client = connect(port)) {
                assertThat(read(client.getInputStream(), 1)).isEqualTo("s");
            }
        }
        assertThat(listener.boundAddress().orElseThrow().port()).isEqualTo(port);
    }

    @Test
    void consistentHashKeyIsTheClientAddress() throws Exception {
        TestUpstream upstream = upstream(connector(map()), echo.actualPort());
        TcpListener listener = listener(map(), 1,
                TestRoutes.route("all", proxy(upstream, map("hash-key", "client-address"))));
        try (Socket client = connect(port(listener))) {
            client.getOutputStream().write('z');
            assertThat(read(client.getInputStream(), 1)).isEqualTo("z");
        }
        eventually(() -> assertThat(upstream.outcomes()).hasSize(1));
    }
}
