package dev.junction.plugin.tcp;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.TrafficShape;
import java.time.Duration;

/** Creates {@code udp} listeners, validating their options. */
final class UdpListenerFactory implements ListenerFactory {

    /** Active-flow gauges outlive listeners, so a listener replaced on reload keeps one time series. */
    private final ActiveGauges activeGauges = new ActiveGauges();

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.MESSAGE;
    }

    @Override
    public Listener create(ListenerContext context) {
        return new UdpListener(context, UdpListenerOptions.parse(context.options()), activeGauges);
    }

    /**
     * The listener's options.
     *
     * @param sessionTimeout how long a client may stay silent before its flow ends
     * @param maxSessions flows open at once; datagrams from further clients are dropped
     * @param queuedDatagrams datagrams held per flow until its action is ready; more are dropped
     */
    record UdpListenerOptions(Duration sessionTimeout, int maxSessions, int queuedDatagrams) {

        static UdpListenerOptions parse(ConfigNode options) {
            Options.mapping(options, "session-timeout", "max-sessions", "queued-datagrams");
            return new UdpListenerOptions(
                    Options.duration(options.get("session-timeout"), Duration.ofSeconds(60), false),
                    Options.intRange(options.get("max-sessions"), 4096, 1, 1_000_000),
                    Options.intRange(options.get("queued-datagrams"), 64, 1, 65536));
        }
    }
}
