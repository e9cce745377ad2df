/**
 * The Junction plugin SPI: the only API a plugin compiles against.
 *
 * <p>Starting points: {@link dev.junction.spi.Plugin} (the {@link java.util.ServiceLoader} entry point),
 * {@link dev.junction.spi.PluginContext} (what the host gives a plugin), and the extension points it returns:
 * {@link dev.junction.spi.listener.ListenerFactory}, {@link dev.junction.spi.upstream.ConnectorFactory},
 * {@link dev.junction.spi.filter.FilterFactory}, {@link dev.junction.spi.route.ActionFactory} and
 * {@link dev.junction.spi.upstream.DiscoveryFactory}.
 *
 * <p>Everything here is non-null unless documented otherwise.
 */
package dev.junction.spi;
