package dev.junction.plugin.tcp;

import dev.junction.testkit.TestConfig;
import dev.junction.testkit.TestPluginContext;

import static dev.junction.plugin.tcp.TcpTestSupport.await;
import static dev.junction.testkit.TestConfig.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.config.ConfigException;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.Endpoint;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpConfigurationTest {

    private static Vertx vertx;
    private static TestPluginContext plugin;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        plugin = new TestPluginContext(vertx, "tcp");
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    /** An action of another shape, as an HTTP plugin would provide. */
    private static final RouteAction RESPOND = new RouteAction() {
        @Override
        public TrafficShape shape() {
            return TrafficShape.EXCHANGE;
        }

        @Override
        public String describe() {
            return "respond";
        }
    };

    private static Listener listener(Map<String, Object> options) {
        return new TcpListenerFactory().create(TestRoutes.listener("tcp-in", options, 1, plugin));
    }

    @Test
    void pluginIsFoundByServiceLoaderWithEveryFactory() {
        Plugin tcp = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("tcp")).findFirst().orElseThrow();

        assertThat(tcp.spiVersion()).isEqualTo(SpiVersion.CURRENT);
        assertThat(tcp.description()).isNotBlank();
        assertThat(tcp.listenerFactories()).extracting(f -> f.protocol() + "/" + f.shape())
                .containsExactly("tcp/STREAM", "udp/MESSAGE");
        assertThat(tcp.connectorFactories()).extracting(f -> f.protocol()).containsExactly("tcp", "udp");
        assertThat(tcp.actionFactories()).extracting(f -> f.name() + "/" + f.shape())
                .containsExactly("proxy/STREAM", "proxy/MESSAGE");
        assertThat(tcp.filterFactories()).singleElement()
                .satisfies(f -> assertThat(f.name()).isEqualTo("ip-filter"));
    }

    @Test
    void listenerCreationValidatesEveryOption() {
        assertThatThrownBy(() -> listener(map("idle-timeout", "ten minutes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners.tcp-in.options.idle-timeout")
                .hasMessageContaining("ten minutes");
        assertThatThrownBy(() -> listener(map("accept-backlog", 0)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners.tcp-in.options.accept-backlog: 0 (expected: 1-65535)");
        assertThatThrownBy(() -> listener(map("max-connections", -1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners.tcp-in.options.max-connections: -1");
        assertThatThrownBy(() -> listener(map("tcp-no-delay", "maybe")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners.tcp-in.options.tcp-no-delay");
        assertThatThrownBy(() -> listener(map("idle-timout", "5s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners.tcp-in.options.idle-timout: unknown key");
    }

    @Test
    void listenerCreationHasNoSideEffects() {
        Listener listener = listener(map("idle-timeout", "0", "max-connections", 5));
        assertThat(listener.boundAddress()).isEmpty();
        assertThat(listener.activeConnections()).isZero();
        assertThat(plugin.meterRegistry().getMeters()).isEmpty();
    }

    @Test
    void routesRejectInvalidMatchesAndNonStreamActionsAndKeepTheOldRoutes() {
        TcpListener listener = (TcpListener) listener(map());
        listener.routes(List.of(TestRoutes.route("good", TcpTestSupport.greeter("x"))));

        assertThatThrownBy(() -> listener.routes(List.of(
                TestRoutes.route("sni", map("sni", "example.test"), TcpTestSupport.greeter("x")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("match.sni: unknown key");
        assertThatThrownBy(() -> listener.routes(List.of(
                TestRoutes.route("bad-cidr", map("source", List.of("10.0.0.0/33")), TcpTestSupport.greeter("x")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("match.source[0]: \"10.0.0.0/33\" (expected: an IPv4 or IPv6 CIDR");
        assertThatThrownBy(() -> listener.routes(List.of(
                TestRoutes.route("exchange", RESPOND))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("route 'exchange': action 'respond' handles exchange traffic");

        assertThat(listener.select(new byte[] {127, 0, 0, 1}).name()).isEqualTo("good");
    }

    @Test
    void connectorCreationValidatesOptionsAndCreatesNoClient() {
        assertThatThrownBy(() -> new TcpConnectorFactory().create("app",
                TestConfig.at("upstreams.app.connector", map("connect-timeout", "0")), plugin))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstreams.app.connector.connect-timeout: 0s (expected: > 0)");
        assertThatThrownBy(() -> new TcpConnectorFactory().create("app",
                TestConfig.at("upstreams.app.connector", map("keepalive", true)), plugin))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstreams.app.connector.keepalive: unknown key");

        TcpConnector connector = (TcpConnector) new TcpConnectorFactory()
                .create("app", TestConfig.missing("upstreams.app.connector"), plugin);
        assertThat(connector.connectTimeout()).isEqualTo(TcpConnectorFactory.DEFAULT_CONNECT_TIMEOUT);
        await(connector.close());
    }

    @Test
    void proxyActionValidatesItsOptions() {
        TestUpstream app = new TestUpstream("app", "tcp",
                new TcpConnectorFactory().create("app", TestConfig.missing("c"), plugin),
                List.of(Endpoint.of("127.0.0.1", 17001)));
        Connector exchangeOnly = () -> TrafficShape.EXCHANGE;
        TestUpstream web = new TestUpstream("web", "http", exchangeOnly, List.of(Endpoint.of("127.0.0.1", 17002)));
        ProxyActionFactory factory = new ProxyActionFactory();

        assertThatThrownBy(() -> factory.create(TestRoutes.actionContext(map(), app)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("action.proxy.upstream: missing");
        assertThatThrownBy(() -> factory.create(TestRoutes.actionContext(map("upstream", "web"), app, web)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("action.proxy.upstream: upstream 'web' has protocol 'http'");
        assertThatThrownBy(() -> factory.create(
                TestRoutes.actionContext(map("upstream", "app", "connect-attempts", 11), app)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("action.proxy.connect-attempts: 11 (expected: 1-10)");
        assertThatThrownBy(() -> factory.create(
                TestRoutes.actionContext(map("upstream", "app", "hash-key", "source-port"), app)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("action.proxy.hash-key: \"source-port\"");
        assertThat(factory.create(TestRoutes.actionContext(map("upstream", "app", "hash-key", "client-address"), app))
                .describe()).isEqualTo("proxy -> upstream app");
    }

    @Test
    void ipFilterValidatesItsOptions() {
        IpFilterFactory factory = new IpFilterFactory();
        assertThatThrownBy(() -> factory.create(TestConfig.at("filters[0].ip-filter",
                map("allow", List.of("192.168.1.0/24", "example.test"))), plugin))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("filters[0].ip-filter.allow[1]: \"example.test\"");
        assertThatThrownBy(() -> factory.create(TestConfig.at("filters[0].ip-filter",
                map("deny", List.of("fd00::/129"))), plugin))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("filters[0].ip-filter.deny[0]: \"fd00::/129\"");
        assertThatThrownBy(() -> factory.create(TestConfig.at("filters[0].ip-filter",
                map("alow", List.of("10.0.0.0/8"))), plugin))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("filters[0].ip-filter.alow: unknown key");
        assertThatThrownBy(() -> factory.create(TestConfig.at("filters[0].ip-filter", map()), plugin))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("filters[0].ip-filter: no addresses");
    }
}
