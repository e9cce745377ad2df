package dev.junction.spi.filter;

import dev.junction.spi.route.TrafficShape;

/**
 * A configured step in a route's filter chain. Each traffic shape has its own sub-interfaces whose phase hooks have
 * safe defaults (do nothing, proceed), so a filter implements only the phases it cares about and can never forget
 * to call a "next".
 *
 * @see StreamFilter
 * @see BlockingStreamFilter
 */
public interface Filter {

    /** Returns the shape of traffic this filter applies to. */
    TrafficShape shape();
}
