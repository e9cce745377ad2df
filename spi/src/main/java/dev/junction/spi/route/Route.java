package dev.junction.spi.route;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterChain;

/**
 * One route of a listener: a match, an ordered filter chain and the action that ends it. Routes are immutable;
 * a reload hands a listener a whole new list, swapped atomically.
 *
 * <p>The match is protocol specific, so it stays raw configuration: the listener compiles it in
 * {@link dev.junction.spi.listener.Listener#routes(java.util.List)} and reports errors through
 * {@link ConfigNode#error(String)}.
 */
public interface Route {

    /** Returns the route's name, unique within its listener; used in logs and as a bounded metric label. */
    String name();

    /** Returns the route's raw {@code match} block; a missing node matches everything. */
    ConfigNode match();

    /** Returns the route's filters in their effective order. */
    FilterChain filters();

    /** Returns what ends the route. */
    RouteAction action();
}
