package dev.junction.spi.filter;

import dev.junction.spi.route.StreamSession;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;

/**
 * A non-blocking filter for {@linkplain TrafficShape#STREAM stream} traffic, called on the connection's event loop.
 *
 * <pre>{@code
 * StreamFilter denyLocal = new StreamFilter() {
 *     public Future<FilterDecision> onConnection(StreamSession session) {
 *         return Future.succeededFuture(isDenied(session.downstream().remoteAddress())
 *                 ? FilterDecision.stop("denied") : FilterDecision.proceed());
 *     }
 * };
 * }</pre>
 */
public interface StreamFilter extends Filter {

    /** Runs when a connection was accepted and matched this route, before the action starts. */
    default Future<FilterDecision> onConnection(StreamSession session) {
        return Future.succeededFuture(FilterDecision.proceed());
    }

    @Override
    default TrafficShape shape() {
        return TrafficShape.STREAM;
    }
}
