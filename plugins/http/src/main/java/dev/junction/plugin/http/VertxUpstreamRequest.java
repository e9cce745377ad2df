package dev.junction.plugin.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/** An {@link UpstreamRequest} over Vert.x's pooled HTTP client: the h2c path. */
final class VertxUpstreamRequest implements UpstreamRequest {

    private final HttpClientRequest request;

    VertxUpstreamRequest(HttpClientRequest request) {
        this.request = request;
        // Failures arrive through response(); without a handler Vert.x would also log each reset as an error.
        request.exceptionHandler(failure -> { });
    }

    @Override
    public MultiMap headers() {
        return request.headers();
    }

    @Override
    public void authority(HostAndPort authority) {
        request.authority(authority);
    }

    @Override
    public boolean http2() {
        return request.version() == HttpVersion.HTTP_2;
    }

    @Override
    public void setChunked(boolean chunked) {
        request.setChunked(chunked);
    }

    @Override
    public void write(Buffer chunk) {
        if (!request.isChunked() && !request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            // Vert.x refuses a body of unknown length that is not chunked, over HTTP/2 too, where the flag only
            // lifts that check: HTTP/2 frames the body itself.
            request.setChunked(true);
        }
        request.write(chunk);
    }

    @Override
    public boolean writeQueueFull() {
        return request.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        request.drainHandler(handler);
    }

    @Override
    public void end() {
        request.end();
    }

    @Override
    public void endWithTrailers(MultiMap trailers) {
        request.end(); // Vert.x's client has no way to send request trailers: they are dropped
    }

    @Override
    public void reset() {
        request.reset();
    }

    @Override
    public Future<UpstreamResponse> response() {
        return request.response().map(Response::new);
    }

    private record Response(HttpClientResponse response) implements UpstreamResponse {

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public MultiMap responseHeaders() {
            return response.headers();
        }

        @Override
        public HttpVersion version() {
            return response.version();
        }

        @Override
        public void handler(Handler<Buffer> handler) {
            response.handler(handler);
        }

        @Override
        public void endHandler(Handler<Void> handler) {
            response.endHandler(handler);
        }

        @Override
        public void exceptionHandler(Handler<Throwable> handler) {
            response.exceptionHandler(handler);
        }

        @Override
        public MultiMap trailers() {
            return response.trailers();
        }

        @Override
        public void pause() {
            response.pause();
        }

        @Override
        public void resume() {
            response.resume();
        }
    }
}
