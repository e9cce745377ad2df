package dev.junction.plugin.tcp;

import static dev.junction.plugin.tcp.TcpTestSupport.await;
import static dev.junction.plugin.tcp.TcpTestSupport.eventually;
import static dev.junction.testkit.TestConfig.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.route.MessageAction;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.MessageConnector;
import dev.junction.testkit.TestConfig;
import dev.junction.testkit.TestPluginContext;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code udp} listener, connector and message {@code proxy} action, with real datagram sockets. */
class UdpProxyTest {

    private static Vertx vertx;
    private TestPluginContext plugin;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<DatagramSocket> backends = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void newPlugin() {
        plugin = new TestPluginContext(vertx, "tcp");
    }

    @AfterEach
    void stopAll() {
        listeners.forEach(listener -> await(listener.stop(java.time.Duration.ZERO)));
        backends.forEach(DatagramSocket::close);
    }

    /** A backend that answers each datagram with its id, a colon and the datagram. */
    private int backend(String id) {
        DatagramSocket socket = vertx.createDatagramSocket();
        socket.handler(packet -> socket.send(io.vertx.core.buffer.Buffer.buffer(id + ":").appendBuffer(packet.data()),
                packet.sender().port(), packet.sender().host()));
        backends.add(socket);
        return await(socket.listen(0, "127.0.0.1")).localAddress().port();
    }

    private int listener(Map<String, Object> options, int... backendPorts) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int port : backendPorts) {
            endpoints.add(Endpoint.of("127.0.0.1", port));
        }
        MessageConnector connector = (MessageConnector) new UdpConnectorFactory()
                .create("dns", TestConfig.missing("upstreams.dns.connector"), plugin);
        TestUpstream upstream = new TestUpstream("dns", "udp", connector, endpoints);
        MessageAction action = (MessageAction) new UdpProxyActionFactory()
                .create(TestRoutes.actionContext(map("upstream", "dns"), upstream));
        Listener listener = new UdpListenerFactory().create(TestRoutes.listener("udp-in", options, 1, plugin));
        listener.routes(List.of(TestRoutes.route("all", action)));
        listeners.add(listener);
        await(listener.start());
        return listener.boundAddress().orElseThrow().port();
    }

    private static String exchange(java.net.DatagramSocket client, int port, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
        client.receive(answer);
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void datagramsOfOneClientStayOnOneEndpointAndClientsAreBalanced() throws Exception {
        int port = listener(map(), backend("a"), backend("b"));
        Set<String> endpointsSeen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            try (java.net.DatagramSocket client = new java.net.DatagramSocket()) {
                client.setSoTimeout(5_000);
                String first = exchange(client, port, "hello " + i);
                assertThat(first).endsWith(":hello " + i);
                String id = first.substring(0, first.indexOf(':'));
                for (int j = 0; j < 5; j++) {
                    assertThat(exchange(client, port, "again " + j)).isEqualTo(id + ":again " + j);
                }
                endpointsSeen.add(id);
            }
        }
        assertThat(endpointsSeen).containsExactlyInAnyOrder("a", "b");
        assertThat(plugin.meterRegistry().get("junction.udp.sessions").counter().count()).isEqualTo(4);
        assertThat(plugin.meterRegistry().get("junction.udp.datagrams.received").counter().count()).isEqualTo(24);
    }

    @Test
    void aSilentClientsFlowEndsAfterTheSessionTimeout() throws Exception {
        int port = listener(map("session-timeout", "300ms"), backend("a"));
        try (java.net.DatagramSocket client = new java.net.DatagramSocket()) {
            client.setSoTimeout(5_000);
            assertThat(exchange(client, port, "ping")).isEqualTo("a:ping");
            Listener listener = listeners.get(0);
            assertThat(listener.activeConnections()).isEqualTo(1);
            eventually(() -> assertThat(listener.activeConnections()).isZero());
            assertThat(plugin.meterRegistry().get("junction.udp.bytes.received").counter().count()).isEqualTo(4);
            assertThat(exchange(client, port, "back")).as("a new flow").isEqualTo("a:back");
        }
    }

    @Test
    void datagramsBeyondTheSessionLimitAreDroppedAndCounted() throws Exception {
        int port = listener(map("max-sessions", 1), backend("a"));
        try (java.net.DatagramSocket first = new java.net.DatagramSocket();
                java.net.DatagramSocket second = new java.net.DatagramSocket()) {
            first.setSoTimeout(5_000);
            second.setSoTimeout(500);
            assertThat(exchange(first, port, "one")).isEqualTo("a:one");
            assertThatThrownBy(() -> exchange(second, port, "two")).isInstanceOf(SocketTimeoutException.class);
            assertThat(plugin.meterRegistry().get("junction.udp.datagrams.dropped").tag("reason", "limit").counter()
                    .count()).isEqualTo(1);
        }
    }

    @Test
    void invalidOptionsAndAStreamUpstreamAreRefusedWithTheKey() {
        assertThatThrownBy(() -> new UdpListenerFactory().create(TestRoutes.listener("udp-in",
                map("session-timeout", "0s"), 1, plugin)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("session-timeout");
        TcpConnector tcp = (TcpConnector) new TcpConnectorFactory()
                .create("app", TestConfig.missing("upstreams.app.connector"), plugin);
        TestUpstream streamUpstream = new TestUpstream("app", "tcp", tcp, List.of(Endpoint.of("127.0.0.1", 1)));
        assertThatThrownBy(() -> new UdpProxyActionFactory()
                .create(TestRoutes.actionContext(map("upstream", "app"), streamUpstream)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not carry datagrams");
    }
}
