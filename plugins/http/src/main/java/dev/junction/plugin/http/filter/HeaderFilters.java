package dev.junction.plugin.http.filter;

import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/** The {@code request-headers} and {@code response-headers} filters. */
final class HeaderFilters {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());

    private HeaderFilters() {
    }

    static DefinedFilterFactory requestFactory() {
        return DefinedFilterFactory.async("request-headers", (config, plugin) -> {
            HeaderEdits edits = HeaderEdits.parse(config, true);
            return new HttpFilter() {
                @Override
                public Future<FilterDecision> onRequest(HttpExchange exchange) {
                    edits.apply(exchange.request().headers());
                    return PROCEED;
                }
            };
        });
    }

    static DefinedFilterFactory responseFactory() {
        return DefinedFilterFactory.async("response-headers", (config, plugin) -> {
            HeaderEdits edits = HeaderEdits.parse(config, false);
            return new HttpFilter() {
                @Override
                public void onResponse(HttpExchange exchange, HttpServerResponse response) {
                    edits.apply(response.headers());
                }
            };
        });
    }
}
