package dev.junction.plugin.tcp;

import dev.junction.plugin.tcp.ProxyActionFactory.HashKey;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.MessageAction;
import dev.junction.spi.route.MessageFlow;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.EndpointLease;
import dev.junction.spi.upstream.MessageChannel;
import dev.junction.spi.upstream.MessageConnector;
import dev.junction.spi.upstream.Selection;
import dev.junction.spi.upstream.Upstream;
import io.vertx.core.Future;
import java.util.Set;

/**
 * Creates the message {@code proxy} action: {@code proxy: {upstream: dns, hash-key: client-address}}. Each flow gets
 * an endpoint from the upstream (held for the flow's life) and a channel of its own to it.
 */
final class UdpProxyActionFactory implements ActionFactory {

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.MESSAGE;
    }

    @Override
    public RouteAction create(ActionContext context) {
        ConfigNode config = context.config();
        Options.mapping(config, "upstream", "hash-key");
        ConfigNode upstreamNode = config.get("upstream");
        if (upstreamNode.isMissing()) {
            throw upstreamNode.error("missing (expected: the name of an upstream)");
        }
        Upstream upstream = context.upstream(upstreamNode);
        if (!(upstream.connector() instanceof MessageConnector connector)) {
            throw upstreamNode.error("upstream '" + upstream.name() + "' has protocol '" + upstream.protocol()
                    + "', whose connector does not carry datagrams (expected: a message protocol such as udp)");
        }
        HashKey hashKey = config.get("hash-key").asEnum(HashKey.class, HashKey.NONE);
        return new UdpProxyAction(upstream, connector, hashKey);
    }

    private record UdpProxyAction(Upstream upstream, MessageConnector connector, HashKey hashKey)
            implements MessageAction {

        @Override
        public Future<Void> handle(MessageFlow flow) {
            String key = hashKey == HashKey.CLIENT_ADDRESS ? String.valueOf(flow.remoteAddress().hostAddress()) : "";
            return upstream.acquire(new Selection(key, Set.of()))
                    .compose(lease -> connector.open(lease.endpoint())
                            .onFailure(lease::failure)
                            .compose(channel -> relay(flow, lease, channel)));
        }

        private Future<Void> relay(MessageFlow flow, EndpointLease lease, MessageChannel channel) {
            long[] bytes = new long[2]; // from client, to client; the flow's event loop owns both
            channel.handler(datagram -> {
                bytes[1] += datagram.length();
                flow.send(datagram);
            });
            flow.handler(datagram -> {
                bytes[0] += datagram.length();
                channel.send(datagram);
            });
            // A flow ends by timing out or with its listener; either way the channel and the lease go with it.
            return flow.scope().whenDone().transform(done -> {
                flow.recordBytes(bytes[0], bytes[1]);
                lease.success();
                return channel.close();
            });
        }

        @Override
        public String describe() {
            return "proxy -> upstream " + upstream.name();
        }
    }
}
