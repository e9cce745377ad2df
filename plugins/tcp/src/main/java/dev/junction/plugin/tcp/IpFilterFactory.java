package dev.junction.plugin.tcp;

import dev.junction.spi.net.IpMatcher;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.route.TrafficShape;

/**
 * Creates {@code ip-filter}s: {@code allow: [CIDR...]} and {@code deny: [CIDR...]}; deny wins, and an address in
 * neither list passes only when {@code allow} is empty.
 */
final class IpFilterFactory implements FilterFactory {

    @Override
    public String name() {
        return "ip-filter";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.STREAM;
    }

    @Override
    public Filter create(ConfigNode config, PluginContext plugin) {
        Options.mapping(config, "allow", "deny");
        IpMatcher allow = IpMatcher.parse(config.get("allow"));
        IpMatcher deny = IpMatcher.parse(config.get("deny"));
        if (allow.isEmpty() && deny.isEmpty()) {
            throw config.error("no addresses (expected: at least one CIDR in allow or deny)");
        }
        return new IpFilter(allow, deny);
    }
}
