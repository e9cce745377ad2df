package dev.junction.spi.filter;

import dev.junction.spi.Experimental;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.route.StreamSession;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * A route's filters in effective order, built by the host from configuration after checking every
 * {@link FilterFactory#before()} and {@link FilterFactory#after()} constraint. Listeners run a phase by calling
 * the matching method; blocking filters are dispatched to virtual threads by the chain.
 */
public interface FilterChain {

    /** Returns the filter names in the order they run, as printed in the effective configuration. */
    List<String> names();

    /** Runs the connection phase of each stream filter in order; stops at the first filter that stops. */
    Future<FilterDecision> onConnection(StreamSession session);

    /**
     * Runs the request phase of each HTTP filter in order; stops at the first filter that stops. Blocking filters
     * run on a virtual thread of the exchange's scope.
     */
    @Experimental
    default Future<FilterDecision> onRequest(HttpExchange exchange) {
        return Future.succeededFuture(FilterDecision.proceed());
    }

    /** Runs the response phase of each HTTP filter in reverse order; a filter that throws is skipped and logged. */
    @Experimental
    default void onResponse(HttpExchange exchange, HttpServerResponse response) {
    }
}
