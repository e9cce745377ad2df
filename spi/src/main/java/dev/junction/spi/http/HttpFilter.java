package dev.junction.spi.http;

import dev.junction.spi.Experimental;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/**
 * A non-blocking filter for HTTP requests, called on the request's event loop. Both phases have safe defaults, so a
 * filter implements only what it needs and can never forget to pass a request on.
 *
 * <p>The request phase runs in chain order before the action. A filter that answers the request itself (a redirect,
 * a 401, a 429) calls {@link HttpExchange#respond} and returns {@link FilterDecision#stop(String)}; a filter that
 * stops without answering gets a 403 from the listener. The response phase runs in reverse chain order just before
 * the response head is written, for every response of the route: proxied, local, or an error.
 *
 * <pre>{@code
 * HttpFilter poweredBy = new HttpFilter() {
 *     public void onResponse(HttpExchange exchange, HttpServerResponse response) {
 *         response.headers().set("x-powered-by", "junction");
 *     }
 * };
 * }</pre>
 */
@Experimental
public interface HttpFilter extends Filter {

    /** Runs after the route matched and before the action; may change the request's headers and path. */
    default Future<FilterDecision> onRequest(HttpExchange exchange) {
        return Future.succeededFuture(FilterDecision.proceed());
    }

    /**
     * Runs just before the response head is written: may change the status and headers, not the body. Must be
     * quick and must not throw; it runs inside the write.
     */
    default void onResponse(HttpExchange exchange, HttpServerResponse response) {
    }

    @Override
    default TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }
}
