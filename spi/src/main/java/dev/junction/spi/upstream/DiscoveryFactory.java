package dev.junction.spi.upstream;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;

/**
 * Creates {@link Discovery} sources from an upstream's {@code discovery} block, a one-key mapping such as
 * {@code discovery: {dns: {name: app.example.test, type: SRV}}}.
 */
public interface DiscoveryFactory {

    /** Returns the discovery type as written in configuration. */
    String type();

    /** Creates (does not start) a discovery source, validating {@code config}. */
    Discovery create(String upstreamName, ConfigNode config, PluginContext plugin);
}
