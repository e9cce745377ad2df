package dev.junction.spi.upstream;

import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.stream.DuplexStream;
import io.vertx.core.Future;
import java.time.Duration;

/** A connector that opens {@linkplain TrafficShape#STREAM streams}: TCP, TLS, a WebSocket carrying bytes. */
public interface StreamConnector extends Connector {

    /**
     * Opens a stream to {@code endpoint} on the caller's event loop. The returned stream is paused; the caller owns
     * it and must close it.
     *
     * @param timeout how long the connection may take to establish
     */
    Future<DuplexStream> connect(Endpoint endpoint, Duration timeout);

    /**
     * Returns the connect timeout configured for this connector, which actions pass to
     * {@link #connect(Endpoint, Duration)} unless they have a tighter deadline.
     */
    default Duration connectTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    default TrafficShape shape() {
        return TrafficShape.STREAM;
    }
}
