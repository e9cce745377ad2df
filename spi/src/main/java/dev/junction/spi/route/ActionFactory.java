package dev.junction.spi.route;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.upstream.Upstream;

/**
 * Creates route actions from configuration. Registered by a {@link dev.junction.spi.Plugin}; the name together with
 * the {@link #shape()} identifies it, so the HTTP plugin's {@code proxy} and the TCP plugin's {@code proxy} coexist.
 *
 * <p>In configuration an action is a one-key mapping: {@code action: {proxy: {upstream: app}}}.
 */
public interface ActionFactory {

    /** Returns the action's name as written in configuration, such as {@code proxy}. */
    String name();

    /** Returns the shape of traffic the created actions consume. */
    TrafficShape shape();

    /** Returns how the host calls the created actions. */
    default ExecutionStyle style() {
        return ExecutionStyle.ASYNC;
    }

    /**
     * Creates an action, validating its configuration. Has no side effects: this also runs for
     * {@code junction validate} and for a reload that is later rejected.
     *
     * @throws dev.junction.spi.config.ConfigException for invalid configuration
     */
    RouteAction create(ActionContext context);

    /** What an action is created from. */
    interface ActionContext {

        /** Returns the action's configuration block. */
        ConfigNode config();

        /**
         * Returns the named upstream, or fails with a {@link dev.junction.spi.config.ConfigException} at
         * {@code node} that names the upstreams that exist.
         */
        Upstream upstream(ConfigNode node);
    }
}
