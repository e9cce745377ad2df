package dev.junction.plugin.tcp;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.ConnectorFactory;
import java.time.Duration;

/** Creates {@code tcp} connectors from an upstream's {@code connector} block. */
final class TcpConnectorFactory implements ConnectorFactory {

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public Connector create(String upstreamName, ConfigNode options, PluginContext plugin) {
        Options.mapping(options, "connect-timeout", "tcp-no-delay", "idle-timeout");
        Duration connectTimeout = Options.duration(options.get("connect-timeout"), DEFAULT_CONNECT_TIMEOUT, false);
        boolean tcpNoDelay = options.get("tcp-no-delay").asBoolean(true);
        Duration idleTimeout = Options.duration(options.get("idle-timeout"), Duration.ZERO, true);
        return new TcpConnector(upstreamName, connectTimeout, tcpNoDelay, idleTimeout, plugin);
    }
}
