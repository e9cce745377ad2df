package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.plugin.http.DefaultHttpExchange;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;

/**
 * The {@code request-size-limit} filter: answers 413 to a request whose {@code Content-Length} is larger than
 * {@code max-body-size}, before any byte of the body is read or forwarded; a body without {@code Content-Length}
 * (chunked, or HTTP/2 without the header) is counted as it streams, and the exchange is ended once it grows past
 * the limit (413 when nothing was answered yet, a reset otherwise), as the listener's own {@code max-body-size}.
 */
final class RequestSizeLimitFilter implements HttpFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());

    private final long maxBodySize;

    RequestSizeLimitFilter(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("request-size-limit", (config, plugin) -> create(config));
    }

    static RequestSizeLimitFilter create(ConfigNode config) {
        Config.mapping(config, "max-body-size");
        ConfigNode node = config.get("max-body-size");
        if (node.isMissing()) {
            throw node.error("missing (expected: a size such as 1MiB)");
        }
        long max = node.asBytes(0);
        if (max < 1) {
            throw node.error(max + " (expected: a size of at least 1 byte, such as 1MiB)");
        }
        return new RequestSizeLimitFilter(max);
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        String length = exchange.request().getHeader("content-length");
        if (length != null && tooLarge(length)) {
            return LocalAnswers.answer(exchange, 413, "request body too large\n", "request-size-limit: too large");
        }
        if (exchange instanceof DefaultHttpExchange listenerExchange) {
            listenerExchange.limitBody(maxBodySize);
        }
        return PROCEED;
    }

    /** Returns whether a {@code Content-Length} value (already validated by the listener) exceeds the limit. */
    boolean tooLarge(String contentLength) {
        String digits = contentLength.trim();
        if (digits.length() > 18) {
            return true;
        }
        try {
            return Long.parseLong(digits) > maxBodySize;
        } catch (NumberFormatException e) {
            return false; // the listener answers 400 to an invalid Content-Length before any filter runs
        }
    }
}
