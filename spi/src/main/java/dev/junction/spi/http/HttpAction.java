package dev.junction.spi.http;

import dev.junction.spi.Experimental;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;

/**
 * A route action for HTTP requests, called on the request's event loop after the route's request filters
 * proceeded. Must not block.
 *
 * <pre>{@code
 * HttpAction echo = exchange -> exchange.request().body()
 *         .compose(body -> exchange.respond(200, "application/octet-stream", body));
 * }</pre>
 */
@Experimental
@FunctionalInterface
public interface HttpAction extends RouteAction {

    /**
     * Serves one request. The action owns the exchange's response and must end it (or reset the stream) before
     * the returned future completes; a failed future that has not started the response is answered by the
     * listener: 502 for an upstream failure, 504 for an upstream timeout, 503 for a full limit, 500 otherwise.
     * The listener does not log these failures twice: it writes them into the access log.
     */
    Future<Void> handle(HttpExchange exchange);

    @Override
    default TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    default String describe() {
        return getClass().getSimpleName();
    }
}
