package dev.junction.plugin.http;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.ConnectorFactory;

/** Creates {@code http} connectors: pooled HTTP/1.1 or h2c clients towards an upstream's endpoints. */
final class HttpConnectorFactory implements ConnectorFactory {

    @Override
    public String protocol() {
        return "http";
    }

    @Override
    public Connector create(String upstreamName, ConfigNode options, PluginContext plugin) {
        return new HttpConnector(upstreamName, HttpConnectorOptions.parse(options), plugin);
    }
}
