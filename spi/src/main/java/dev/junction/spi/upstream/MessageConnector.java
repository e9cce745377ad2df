package dev.junction.spi.upstream;

import dev.junction.spi.Experimental;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;

/** A connector that exchanges {@linkplain TrafficShape#MESSAGE datagrams} with endpoints, such as UDP. */
@Experimental
public interface MessageConnector extends Connector {

    /** Opens a channel to {@code endpoint} on the caller's event loop; the caller owns and closes it. */
    Future<MessageChannel> open(Endpoint endpoint);

    @Override
    default TrafficShape shape() {
        return TrafficShape.MESSAGE;
    }
}
