package dev.junction.plugin.http;

import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The {@code echo} action: answers with a JSON description of the request as the route's filters left it
 * (method, path, query, headers, the first 64 KiB of the body), which shows what a route does without a backend.
 */
final class EchoActionFactory implements ActionFactory {

    static final int MAX_BODY = 64 * 1024;

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public RouteAction create(ActionContext context) {
        Config.mapping(context.config());
        return new Echo();
    }

    private static final class Echo implements HttpAction {

        @Override
        public Future<Void> handle(HttpExchange exchange) {
            HttpServerRequest request = exchange.request();
            Buffer body = Buffer.buffer();
            long[] total = {0};
            request.handler(chunk -> {
                total[0] += chunk.length();
                int room = MAX_BODY - body.length();
                if (room > 0) {
                    body.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
                }
            });
            request.resume();
            // A body over the listener's limit fails end() with a 413, which the listener answers.
            return request.end().compose(v -> {
                JsonObject headers = new JsonObject();
                request.headers().forEach(entry -> {
                    String name = entry.getKey().toLowerCase(java.util.Locale.ROOT);
                    Object existing = headers.getValue(name);
                    headers.put(name, existing == null ? entry.getValue() : existing + ", " + entry.getValue());
                });
                JsonObject json = new JsonObject()
                        .put("method", request.method().name())
                        .put("path", exchange.path())
                        .put("query", exchange.query())
                        .put("host", exchange.host())
                        .put("client", exchange.clientIp())
                        .put("version", request.version().alpnName())
                        .put("headers", headers)
                        .put("body", body.toString(StandardCharsets.UTF_8))
                        .put("body_bytes", total[0]);
                return exchange.respond(200, "application/json", Buffer.buffer(json.encodePrettily() + "\n"));
            });
        }

        @Override
        public String describe() {
            return "echo";
        }
    }
}
