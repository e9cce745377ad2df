package dev.junction.spi;

import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.upstream.ConnectorFactory;
import dev.junction.spi.upstream.DiscoveryFactory;
import io.vertx.core.Future;
import java.util.List;

/**
 * The entry point of a Junction plugin, found with {@link java.util.ServiceLoader} in the plugin's own class loader.
 *
 * <p>A plugin is a folder {@code plugins/<name>/} of jars, one of which lists the implementation in
 * {@code META-INF/services/dev.junction.spi.Plugin}. Its class loader sees the JDK, this SPI, Vert.x, Netty and
 * Micrometer from the host and everything else from the folder, so plugins may bundle libraries of any version.
 *
 * <p>Extension points are default methods returning empty lists, so a plugin overrides only what it provides and
 * new extension points never break old plugins. Construction must have no side effects; the host calls
 * {@link #start(PluginContext)} before using any factory and {@link #stop()} at shutdown, even after a failed start.
 *
 * <pre>{@code
 * public final class EchoPlugin implements Plugin {
 *     public String name() { return "echo"; }
 *     public String spiVersion() { return SpiVersion.CURRENT; }
 *     public List<ActionFactory> actionFactories() { return List.of(new EchoActionFactory()); }
 * }
 * }</pre>
 */
public interface Plugin {

    /** Returns the plugin's unique name: lower case letters, digits and dashes, such as {@code tcp}. */
    String name();

    /**
     * Returns the SPI version the plugin was compiled against. Implement it as {@code return SpiVersion.CURRENT;}:
     * the constant is inlined at compile time, which is what makes the check meaningful.
     */
    String spiVersion();

    /** Returns the plugin's own version; by default the jar manifest's {@code Implementation-Version}. */
    default String version() {
        String version = getClass().getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    /** Returns a one-line description for {@code junction plugins}. */
    default String description() {
        return "";
    }

    /** Starts the plugin; the context stays valid until {@link #stop()} completes. */
    default Future<Void> start(PluginContext context) {
        return Future.succeededFuture();
    }

    /** Stops the plugin, releasing what {@link #start(PluginContext)} acquired. Tolerates a failed start. */
    default Future<Void> stop() {
        return Future.succeededFuture();
    }

    /** Returns the listener protocols this plugin serves. */
    default List<ListenerFactory> listenerFactories() {
        return List.of();
    }

    /** Returns the upstream protocols this plugin can connect to. */
    default List<ConnectorFactory> connectorFactories() {
        return List.of();
    }

    /** Returns the filters this plugin provides. */
    default List<FilterFactory> filterFactories() {
        return List.of();
    }

    /** Returns the route actions this plugin provides. */
    default List<ActionFactory> actionFactories() {
        return List.of();
    }

    /** Returns the upstream discovery types this plugin provides. */
    default List<DiscoveryFactory> discoveryFactories() {
        return List.of();
    }
}
