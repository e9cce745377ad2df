package dev.junction.plugin.tcp;

import dev.junction.spi.GatewayException;
import dev.junction.spi.PluginContext;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.MessageChannel;
import dev.junction.spi.upstream.MessageConnector;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.util.Objects;

/**
 * The {@code udp} connector: one datagram socket on an ephemeral port per channel, so the endpoint's answers come
 * back to the flow that asked. Datagrams from any other sender are ignored.
 */
final class UdpConnector implements MessageConnector {

    private final String upstreamName;
    private final PluginContext plugin;

    UdpConnector(String upstreamName, PluginContext plugin) {
        this.upstreamName = upstreamName;
        this.plugin = plugin;
    }

    @Override
    public Future<MessageChannel> open(Endpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        boolean ipv6 = endpoint.host().contains(":");
        DatagramSocket socket = plugin.vertx().createDatagramSocket(new DatagramSocketOptions().setIpV6(ipv6));
        return socket.listen(0, ipv6 ? "::" : "0.0.0.0")
                .<MessageChannel>map(bound -> new Channel(bound, endpoint))
                .recover(failure -> Future.failedFuture(new GatewayException(GatewayException.Source.INTERNAL, true,
                        "udp: cannot open a socket towards " + endpoint + " for upstream '" + upstreamName + "': "
                                + failure.getMessage(), failure)));
    }

    private static final class Channel implements MessageChannel {
        private final DatagramSocket socket;
        private final Endpoint endpoint;
        private final String endpointAddress;

        Channel(DatagramSocket socket, Endpoint endpoint) {
            this.socket = socket;
            this.endpoint = endpoint;
            this.endpointAddress = endpoint.address().hostAddress() != null ? endpoint.address().hostAddress() : endpoint.host();
        }

        @Override
        public MessageChannel handler(Handler<Buffer> handler) {
            socket.handler(packet -> {
                // Only the endpoint may answer on this socket.
                if (packet.sender().port() == endpoint.port() && endpointAddress.equals(packet.sender().hostAddress())) {
                    handler.handle(packet.data());
                }
            });
            return this;
        }

        @Override
        public Future<Void> send(Buffer datagram) {
            return socket.send(datagram, endpoint.port(), endpoint.host());
        }

        @Override
        public Future<Void> close() {
            return socket.close();
        }
    }
}
