package dev.junction.spi.listener;

import dev.junction.spi.route.TrafficShape;

/**
 * Creates listeners for one protocol, such as {@code tcp}. A listener binds an address and hands each connection,
 * datagram or request to the first route that matches.
 */
public interface ListenerFactory {

    /** Returns the protocol name written in a listener's {@code protocol} key. */
    String protocol();

    /** Returns the traffic shape the listeners hand to route actions. */
    TrafficShape shape();

    /**
     * Creates a listener, validating its options. Has no side effects: binding happens in
     * {@link Listener#start()}.
     *
     * @throws dev.junction.spi.config.ConfigException for invalid options
     */
    Listener create(ListenerContext context);
}
