package dev.junction.spi.filter;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.route.TrafficShape;
import java.util.Set;

/**
 * Creates {@link Filter}s from configuration. In a route, filters are a list of one-key mappings in the order they
 * run:
 * <pre>{@code
 * filters:
 *   - ip-allow: {cidrs: [127.0.0.0/8]}
 *   - audit: {}
 * }</pre>
 * A factory may constrain that order with {@link #before()} and {@link #after()}; a configuration that breaks a
 * constraint is rejected at load time with the file and line of the offending filter.
 */
public interface FilterFactory {

    /** Returns the filter's name as written in configuration. */
    String name();

    /** Returns the traffic shape the filters apply to. */
    TrafficShape shape();

    /** Returns whether the created filters are asynchronous or blocking. */
    default ExecutionStyle style() {
        return ExecutionStyle.ASYNC;
    }

    /** Returns names of filters that, when present in the same chain, must run after this one. */
    default Set<String> before() {
        return Set.of();
    }

    /** Returns names of filters that, when present in the same chain, must run before this one. */
    default Set<String> after() {
        return Set.of();
    }

    /**
     * Creates a filter, validating {@code config}. Has no side effects.
     *
     * @throws dev.junction.spi.config.ConfigException for invalid configuration
     */
    Filter create(ConfigNode config, PluginContext plugin);
}
