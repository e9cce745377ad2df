package dev.junction.plugin.http.filter;

import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** Answers a request from the gateway with a short plain-text body, as the filters that refuse requests do. */
final class LocalAnswers {

    static final String TEXT = "text/plain; charset=utf-8";

    private LocalAnswers() {
    }

    /**
     * Answers {@code status} with {@code body} and returns the decision to stop with {@code reason}; the decision
     * completes when the answer was handed to the exchange, whatever became of it.
     */
    static Future<FilterDecision> answer(HttpExchange exchange, int status, String body, String reason) {
        FilterDecision stop = FilterDecision.stop(reason);
        return exchange.respond(status, TEXT, Buffer.buffer(body)).transform(ignored -> Future.succeededFuture(stop));
    }
}
