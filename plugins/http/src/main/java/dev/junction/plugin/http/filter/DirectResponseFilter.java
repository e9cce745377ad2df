package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The {@code direct-response} filter: answers every request with a fixed status, headers and body, and stops. */
final class DirectResponseFilter implements HttpFilter {

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers;
    private final FilterDecision decision = FilterDecision.stop("direct-response");

    DirectResponseFilter(int status, String contentType, byte[] body, Map<String, String> headers) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.headers = headers;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("direct-response", (config, plugin) -> create(config));
    }

    static DirectResponseFilter create(ConfigNode config) {
        Config.mapping(config, "status", "body", "content-type", "headers");
        int status = Config.status(config.get("status"), 200, 200, 599);
        String body = config.get("body").asString("");
        ConfigNode typeNode = config.get("content-type");
        String contentType = typeNode.isMissing()
                ? (body.isEmpty() ? null : LocalAnswers.TEXT)
                : Config.headerValue(typeNode, typeNode.asString());
        Map<String, String> headers = Config.headerMap(config.get("headers"));
        for (String name : headers.keySet()) {
            if (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("content-type")) {
                throw config.get("headers").error(name + " (expected: a header other than content-length and "
                        + "transfer-encoding, which the listener sets, and content-type, which has its own key)");
            }
        }
        if ((status == 204 || status == 304) && !body.isEmpty()) {
            throw config.get("body").error("a body with status " + status + " (expected: no body, as HTTP forbids one)");
        }
        return new DirectResponseFilter(status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            exchange.response().headers().set(header.getKey(), header.getValue());
        }
        return exchange.respond(status, contentType, Buffer.buffer(body))
                .transform(ignored -> Future.succeededFuture(decision));
    }
}
