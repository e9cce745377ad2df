package dev.junction.plugin.tcp;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.StreamConnector;
import dev.junction.spi.upstream.Upstream;

/** Creates the stream {@code proxy} action: {@code proxy: {upstream: app, connect-attempts: 2, hash-key: none}}. */
final class ProxyActionFactory implements ActionFactory {

    /** What the load balancer hashes on for {@code consistent-hash} upstreams. */
    enum HashKey {
        NONE,
        CLIENT_ADDRESS
    }

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.STREAM;
    }

    @Override
    public RouteAction create(ActionContext context) {
        ConfigNode config = context.config();
        Options.mapping(config, "upstream", "connect-attempts", "hash-key");
        ConfigNode upstreamNode = config.get("upstream");
        if (upstreamNode.isMissing()) {
            throw upstreamNode.error("missing (expected: the name of an upstream)");
        }
        Upstream upstream = context.upstream(upstreamNode);
        if (!(upstream.connector() instanceof StreamConnector connector)) {
            throw upstreamNode.error("upstream '" + upstream.name() + "' has protocol '" + upstream.protocol()
                    + "', whose connector does not open streams (expected: a stream protocol such as tcp)");
        }
        int attempts = Options.intRange(config.get("connect-attempts"), 2, 1, 10);
        HashKey hashKey = config.get("hash-key").asEnum(HashKey.class, HashKey.NONE);
        return new ProxyAction(upstream, connector, attempts, hashKey, connector.connectTimeout());
    }
}
