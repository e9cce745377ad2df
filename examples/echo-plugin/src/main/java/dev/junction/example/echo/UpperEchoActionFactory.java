package dev.junction.example.echo;

import dev.junction.spi.GatewayException;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Creates {@code upper-echo} actions for HTTP listeners: {@code upper-echo: {}} answers a request with its own body,
 * ASCII letters upper-cased, streamed back while it arrives. Actions are keyed by name and traffic shape, so it could
 * have been called {@code echo} like the stream action, were that name not taken for HTTP by the HTTP plugin's
 * {@code echo}.
 */
final class UpperEchoActionFactory implements ActionFactory {

    @Override
    public String name() {
        return "upper-echo";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE; // served by HTTP listeners
    }

    @Override
    public RouteAction create(ActionContext context) {
        ConfigNode config = context.config();
        if (!config.isMissing()) {
            config.checkKeys(); // no options
        }
        return new UpperEchoAction();
    }

    /** Writes each chunk of the request body back upper-cased, reading no faster than the client takes the answer. */
    private static final class UpperEchoAction implements HttpAction {

        @Override
        public Future<Void> handle(HttpExchange exchange) {
            HttpServerRequest request = exchange.request(); // still paused: no byte of the body was read yet
            HttpServerResponse response = exchange.response();
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                response.putHeader(HttpHeaders.CONTENT_LENGTH, length); // upper-casing keeps the length
            } else {
                response.setChunked(true); // HTTP/1.1; HTTP/2 frames the body itself
            }
            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
            response.putHeader(HttpHeaders.CONTENT_TYPE, type != null ? type : "application/octet-stream");
            request.handler(chunk -> {
                response.write(upperCase(chunk)); // a fresh buffer: write() takes ownership
                // Backpressure, as in Netty's HexDumpProxy: stop reading while the client is slow to take the answer.
                if (response.writeQueueFull()) {
                    request.pause();
                    response.drainHandler(v -> request.resume());
                }
            });
            Future<Void> bodyRead = request.end(); // completes after the last chunk, fails if the client goes away
            request.resume();
            // The action owns the response and ends it; its future completes once the response is written. A
            // failure says where it came from, so the listener resets the response and logs it at debug level only.
            return bodyRead.compose(v -> response.end())
                    .recover(failure -> Future.failedFuture(new GatewayException(GatewayException.Source.DOWNSTREAM,
                            false, "upper-echo: the client went away before the echo ended", failure)));
        }

        @Override
        public String describe() {
            return "upper-echo";
        }

        /** Returns a copy of {@code chunk} with a-z upper-cased; other bytes, UTF-8 sequences included, stay. */
        private static Buffer upperCase(Buffer chunk) {
            byte[] bytes = chunk.getBytes();
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] >= 'a' && bytes[i] <= 'z') {
                    bytes[i] -= 'a' - 'A';
                }
            }
            return Buffer.buffer(bytes);
        }
    }
}
