package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/** The {@code respond} action: a fixed response from the gateway itself, such as a welcome page. */
final class RespondActionFactory implements ActionFactory {

    @Override
    public String name() {
        return "respond";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public RouteAction create(ActionContext context) {
        ConfigNode config = Config.mapping(context.config(), "status", "body", "content-type", "headers");
        int status = Config.intRange(config.get("status"), 200, 200, 599);
        String body = config.get("body").asString("");
        String contentType = config.get("content-type").asString(HttpResponses.TEXT);
        MultiMap headers = headers(config.get("headers"));
        return new Respond(status, Buffer.buffer(body), contentType, headers);
    }

    static MultiMap headers(ConfigNode node) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (node.isMissing()) {
            return headers;
        }
        if (!node.isMap()) {
            throw node.error(Config.describe(node) + " (expected: a mapping from header name to value)");
        }
        for (Map.Entry<String, ConfigNode> entry : node.entries().entrySet()) {
            String name = entry.getKey();
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f
                    && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
                throw entry.getValue().error('"' + name + "\" (expected: a header name)");
            }
            String value = entry.getValue().asString();
            if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                throw entry.getValue().error("header value with a control character (expected: printable text)");
            }
            headers.add(name, value);
        }
        return headers;
    }

    private record Respond(int status, Buffer body, String contentType, MultiMap headers) implements HttpAction {

        @Override
        public Future<Void> handle(HttpExchange exchange) {
            HttpServerResponse response = exchange.response();
            response.setStatusCode(status);
            if (!headers.isEmpty()) {
                response.headers().addAll(headers);
            }
            response.headers().set(HttpHeaders.CONTENT_TYPE, contentType);
            // The request body, if any, is not read: Vert.x discards it so the connection stays usable.
            exchange.request().resume();
            if (exchange.request().method() == HttpMethod.HEAD) {
                response.headers().set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
                return response.end();
            }
            return exchange.respond(status, contentType, body.slice());
        }

        @Override
        public String describe() {
            return "respond " + status;
        }
    }
}
