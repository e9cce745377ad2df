package dev.junction.internal.gateway;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterChain;
import dev.junction.spi.route.Route;
import dev.junction.spi.route.RouteAction;

/** An immutable compiled route. */
record RouteImpl(String name, ConfigNode match, FilterChain filters, RouteAction action) implements Route {
}
