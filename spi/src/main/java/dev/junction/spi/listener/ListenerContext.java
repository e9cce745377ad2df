package dev.junction.spi.listener;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.net.SocketAddress;

/**
 * What a listener is created from.
 */
public interface ListenerContext {

    /** Returns the listener's name from configuration. */
    String name();

    /** Returns the address to bind. */
    SocketAddress address();

    /** Returns the listener's protocol-specific {@code options} block (missing when absent). */
    ConfigNode options();

    /** Returns how many server instances to run, one per event loop. */
    int instances();

    /** Returns the tags every meter of this listener carries: {@code listener=<name>}. */
    Tags tags();

    /** Returns the context of the plugin that provides the listener. */
    PluginContext plugin();
}
