package dev.junction.plugin.tcp;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.TrafficShape;
import java.time.Duration;

/** Creates {@code tcp} listeners, validating their options. */
final class TcpListenerFactory implements ListenerFactory {

    /** Active-connection gauges outlive listeners, so a listener replaced on reload keeps one time series. */
    private final ActiveGauges activeGauges = new ActiveGauges();

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.STREAM;
    }

    @Override
    public Listener create(ListenerContext context) {
        return new TcpListener(context, TcpListenerOptions.parse(context.options()), activeGauges);
    }

    /**
     * The listener's options.
     *
     * @param idleTimeout zero for none
     * @param maxConnections zero for unlimited
     */
    record TcpListenerOptions(Duration idleTimeout, int acceptBacklog, boolean tcpNoDelay, int maxConnections) {

        static TcpListenerOptions parse(ConfigNode options) {
            Options.mapping(options, "idle-timeout", "accept-backlog", "tcp-no-delay", "max-connections");
            return new TcpListenerOptions(
                    Options.duration(options.get("idle-timeout"), Duration.ofMinutes(10), true),
                    Options.intRange(options.get("accept-backlog"), 1024, 1, 65535),
                    options.get("tcp-no-delay").asBoolean(true),
                    Options.intRange(options.get("max-connections"), 0, 0, Integer.MAX_VALUE));
        }
    }
}
