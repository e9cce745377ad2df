package dev.junction.example.echo;

import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Creates {@code stamp} filters for HTTP routes, {@code stamp: {header: x-stamp, value: gw1.example.test}}: an
 * asynchronous {@link HttpFilter} with both phases. The request phase adds the header to the request, where the
 * action and any upstream see it, and answers 508 to a request that already carries this stamp (it came back
 * through the same gateway: a forwarding loop); the response phase adds the header to the response.
 */
final class StampFilterFactory implements FilterFactory {

    @Override
    public String name() {
        return "stamp";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public Filter create(ConfigNode config, PluginContext plugin) {
        if (!config.isMissing()) {
            config.checkKeys("header", "value");
        }
        ConfigNode headerNode = config.get("header");
        String header = headerNode.asString("x-stamp");
        if (header.isEmpty() || !header.chars().allMatch(c -> c > 0x20 && c < 0x7f
                && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
            throw headerNode.error('"' + header + "\" (expected: a header name such as x-stamp)");
        }
        ConfigNode valueNode = config.get("value");
        String value = valueNode.asString("junction");
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw valueNode.error('"' + value + "\" (expected: printable ASCII text such as gw1.example.test)");
        }
        return new StampFilter(header, value);
    }

    /** Stamps requests and responses; refuses requests that carry the stamp already. */
    private record StampFilter(String header, String value) implements HttpFilter {

        private static final FilterDecision LOOP = FilterDecision.stop("stamp: forwarding loop");

        @Override
        public Future<FilterDecision> onRequest(HttpExchange exchange) {
            MultiMap headers = exchange.request().headers();
            if (headers.getAll(header).contains(value)) {
                // A filter that stops answers the request itself; respond() also runs the response phases.
                exchange.response().setStatusMessage("Loop Detected"); // Netty knows no reason phrase for 508
                return exchange.respond(508, "text/plain; charset=utf-8", Buffer.buffer("stamp: forwarding loop\n"))
                        .transform(sent -> Future.succeededFuture(LOOP)); // stop even if the client has gone
            }
            headers.add(header, value); // the action and the upstream see it
            return Future.succeededFuture(FilterDecision.proceed());
        }

        @Override
        public void onResponse(HttpExchange exchange, HttpServerResponse response) {
            // Synchronous and quick: it runs inside the write of the response head.
            response.headers().add(header, value);
        }
    }
}
