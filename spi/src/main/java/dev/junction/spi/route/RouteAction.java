package dev.junction.spi.route;

/**
 * What ends a route: proxy to an upstream, bridge to another protocol, respond locally, redirect. Each traffic
 * shape has its own sub-interface; a listener calls the one matching the shape it produces.
 *
 * @see StreamAction
 */
public interface RouteAction {

    /** Returns the shape of traffic this action consumes. */
    TrafficShape shape();

    /** Returns a one-line description for the effective configuration, such as {@code proxy -> upstream app}. */
    String describe();
}
