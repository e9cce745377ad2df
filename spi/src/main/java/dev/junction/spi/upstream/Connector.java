package dev.junction.spi.upstream;

import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * A plugin's client side for one protocol, created per upstream. Each traffic shape has its own sub-interface.
 *
 * @see StreamConnector
 */
public interface Connector {

    /** Returns the shape of traffic this connector carries. */
    TrafficShape shape();

    /**
     * Checks that {@code endpoint} serves; used by active health checks. The default opens nothing and succeeds,
     * which leaves every endpoint healthy.
     */
    default Future<Void> probe(Endpoint endpoint, Duration timeout) {
        return Future.succeededFuture();
    }

    /** Releases pooled connections and clients. */
    default Future<Void> close() {
        return Future.succeededFuture();
    }
}
