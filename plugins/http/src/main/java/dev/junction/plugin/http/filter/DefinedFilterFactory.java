package dev.junction.plugin.http.filter;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.route.TrafficShape;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A factory of one HTTP filter, described by its name, its execution style, the filters it must run before, and a
 * function that validates the options and creates the filter.
 */
record DefinedFilterFactory(String name, ExecutionStyle style, Set<String> before,
                            BiFunction<ConfigNode, PluginContext, Filter> creator) implements FilterFactory {

    DefinedFilterFactory {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(creator, "creator");
    }

    static DefinedFilterFactory async(String name, BiFunction<ConfigNode, PluginContext, Filter> creator) {
        return new DefinedFilterFactory(name, ExecutionStyle.ASYNC, Set.of(), creator);
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public Filter create(ConfigNode config, PluginContext plugin) {
        return creator.apply(config, plugin);
    }
}
