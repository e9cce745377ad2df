package dev.junction.plugin.tcp;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.upstream.ConnectorFactory;
import java.util.List;

/**
 * Plain TCP and UDP (layer 4) for Junction: {@code tcp} and {@code udp} listeners and connectors, the {@code proxy}
 * action for streams and for datagram flows, and the {@code ip-filter} stream filter.
 *
 * <pre>{@code
 * listeners:
 *   tcp-in:
 *     protocol: tcp
 *     address: 127.0.0.1:7000
 *     routes:
 *       - action: {proxy: {upstream: app}}
 * upstreams:
 *   app: {protocol: tcp, endpoints: [127.0.0.1:17001]}
 * }</pre>
 */
public final class TcpPlugin implements Plugin {

    private final TcpListenerFactory listenerFactory = new TcpListenerFactory();
    private final TcpConnectorFactory connectorFactory = new TcpConnectorFactory();
    private final ProxyActionFactory proxyActionFactory = new ProxyActionFactory();
    private final IpFilterFactory ipFilterFactory = new IpFilterFactory();
    private final UdpListenerFactory udpListenerFactory = new UdpListenerFactory();
    private final UdpConnectorFactory udpConnectorFactory = new UdpConnectorFactory();
    private final UdpProxyActionFactory udpProxyActionFactory = new UdpProxyActionFactory();

    /** Creates the plugin; has no side effects, as the host requires. */
    public TcpPlugin() {
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "Plain TCP and UDP: listeners, connectors, proxy actions and ip-filter";
    }

    @Override
    public List<ListenerFactory> listenerFactories() {
        return List.of(listenerFactory, udpListenerFactory);
    }

    @Override
    public List<ConnectorFactory> connectorFactories() {
        return List.of(connectorFactory, udpConnectorFactory);
    }

    @Override
    public List<ActionFactory> actionFactories() {
        return List.of(proxyActionFactory, udpProxyActionFactory);
    }

    @Override
    public List<FilterFactory> filterFactories() {
        return List.of(ipFilterFactory);
    }
}
