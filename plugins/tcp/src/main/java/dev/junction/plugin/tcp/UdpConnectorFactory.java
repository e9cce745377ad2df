package dev.junction.plugin.tcp;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.ConnectorFactory;

/** Creates {@code udp} connectors; they take no options yet. */
final class UdpConnectorFactory implements ConnectorFactory {

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public Connector create(String upstreamName, ConfigNode options, PluginContext plugin) {
        Options.mapping(options);
        return new UdpConnector(upstreamName, plugin);
    }
}
