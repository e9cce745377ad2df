package dev.junction.spi.upstream;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;

/**
 * Creates {@link Connector}s for the upstreams whose {@code protocol} is {@link #protocol()}.
 */
public interface ConnectorFactory {

    /** Returns the protocol name written in an upstream's {@code protocol} key, such as {@code tcp}. */
    String protocol();

    /**
     * Creates the connector of one upstream, validating the upstream's {@code connector} options. Has no side
     * effects beyond creating (not connecting) clients.
     *
     * @param upstreamName the upstream the connector serves
     * @param options the upstream's {@code connector} block (missing when absent)
     */
    Connector create(String upstreamName, ConfigNode options, PluginContext plugin);
}
