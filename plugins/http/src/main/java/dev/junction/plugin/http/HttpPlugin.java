package dev.junction.plugin.http;

import dev.junction.plugin.http.filter.HttpFilters;
import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.upstream.ConnectorFactory;
import java.util.List;

/**
 * The {@code http} plugin: an HTTP/1.1 and HTTP/2 listener with routing, an HTTP connector with pooling, the
 * {@code proxy}, {@code respond} and {@code echo} actions, and the HTTP filters.
 */
public final class HttpPlugin implements Plugin {

    /** Creates the plugin; has no side effects, as the host requires. */
    public HttpPlugin() {
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "HTTP/1.1 and HTTP/2: listener, routing, reverse proxy, connector and filters";
    }

    @Override
    public List<ListenerFactory> listenerFactories() {
        return List.of(new HttpListenerFactory());
    }

    @Override
    public List<ConnectorFactory> connectorFactories() {
        return List.of(new HttpConnectorFactory());
    }

    @Override
    public List<ActionFactory> actionFactories() {
        return List.of(new ProxyActionFactory(), new RespondActionFactory(), new EchoActionFactory());
    }

    @Override
    public List<FilterFactory> filterFactories() {
        return HttpFilters.factories();
    }
}
