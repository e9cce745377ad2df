package dev.junction.plugin.tcp;

import dev.junction.spi.net.IpMatcher;

import dev.junction.testkit.TestConfig;
import dev.junction.testkit.TestPluginContext;

import static dev.junction.plugin.tcp.TcpTestSupport.await;
import static dev.junction.plugin.tcp.TcpTestSupport.connect;
import static dev.junction.plugin.tcp.TcpTestSupport.eventually;
import static dev.junction.plugin.tcp.TcpTestSupport.read;
import static dev.junction.testkit.TestConfig.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.spi.filter.StreamFilter;
import io.vertx.core.Vertx;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IpFilterTest {

    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    private static IpFilter filter(Map<String, Object> options) {
        return (IpFilter) new IpFilterFactory()
                .create(TestConfig.at("filters[0].ip-filter", options), new TestPluginContext(vertx, "tcp"));
    }

    private static boolean allows(IpFilter filter, String address) {
        byte[] bytes = IpMatcher.parseLiteral(address);
        assertThat(bytes).as(address).isNotNull();
        return await(filter.decide(bytes)).proceeds();
    }

    @Test
    void denyWinsOverAllow() {
        IpFilter filter = filter(map("allow", List.of("10.0.0.0/8"), "deny", List.of("10.1.0.0/16")));

        assertThat(allows(filter, "10.2.3.4")).isTrue();
        assertThat(allows(filter, "10.1.3.4")).isFalse();
        assertThat(allows(filter, "192.0.2.1")).as("not in a non-empty allow list").isFalse();
    }

    @Test
    void withoutAllowEverythingNotDeniedPasses() {
        IpFilter filter = filter(map("deny", List.of("192.0.2.0/24", "2001:db8::/32")));

        assertThat(allows(filter, "192.0.2.77")).isFalse();
        assertThat(allows(filter, "192.0.3.1")).isTrue();
        assertThat(allows(filter, "2001:db8:1::5")).isFalse();
        assertThat(allows(filter, "2001:db9::5")).isTrue();
        assertThat(allows(filter, "::1")).isTrue();
    }

    @Test
    void matchesIpv6AndIpv4MappedAddresses() {
        IpFilter filter = filter(map("allow", List.of("::1", "fd00::/8", "127.0.0.1/32", "172.16.0.0/12")));

        assertThat(allows(filter, "::1")).isTrue();
        assertThat(allows(filter, "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(allows(filter, "fdab:cdef::1")).isTrue();
        assertThat(allows(filter, "fe80::1")).isFalse();
        assertThat(allows(filter, "::ffff:127.0.0.1")).as("IPv4-mapped").isTrue();
        assertThat(allows(filter, "172.31.255.255")).isTrue();
        assertThat(allows(filter, "172.32.0.0")).isFalse();
    }

    @Test
    void deniedConnectionIsClosedBeforeTheActionAndCounted() throws Exception {
        TestPluginContext plugin = new TestPluginContext(vertx, "tcp");
        TcpListener listener = (TcpListener) new TcpListenerFactory()
                .create(TestRoutes.listener("tcp-in", map(), 1, plugin));
        StreamFilter denyLoopback = filter(map("deny", List.of("127.0.0.0/8", "::1")));
        listener.routes(List.of(TestRoutes.route("all", TcpTestSupport.greeter("never"), denyLoopback)));
        await(listener.start());
        try (Socket client = connect(listener.boundAddress().orElseThrow().port())) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        } finally {
            eventually(() -> assertThat(plugin.meterRegistry().get("junction.tcp.connections.rejected")
                    .tag("reason", "filter").counter().count()).isEqualTo(1));
            await(listener.stop(Duration.ZERO));
        }
    }

    @Test
    void allowedConnectionReachesTheAction() throws Exception {
        TestPluginContext plugin = new TestPluginContext(vertx, "tcp");
        TcpListener listener = (TcpListener) new TcpListenerFactory()
                .create(TestRoutes.listener("tcp-in", map(), 1, plugin));
        StreamFilter allowLoopback = filter(map("allow", List.of("127.0.0.1/32"), "deny", List.of("10.0.0.0/8")));
        StreamFilter last = new StreamFilter() { };
        listener.routes(List.of(TestRoutes.route("all", TcpTestSupport.greeter("ok"), allowLoopback, last)));
        await(listener.start());
        try (Socket client = connect(listener.boundAddress().orElseThrow().port())) {
            assertThat(read(client.getInputStream(), 2)).isEqualTo("ok");
        } finally {
            await(listener.stop(Duration.ZERO));
        }
    }
}
