package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.http.HttpStatusException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;

/**
 * The request an action sees when its body length is not known up front (chunked, or HTTP/2 without
 * {@code Content-Length}) and a body limit applies: {@code max-body-size}, or a lower one set by a filter. It counts
 * the body as the action reads it; past the limit it stops delivering and fails the read with a 413
 * {@link HttpStatusException} through the exception handler and the {@code end()} and {@code body()} futures, so
 * every action, the built-in ones and other plugins' alike, answers 413 without reading the rest. An action that
 * listens to none of these gets the 413 from here, with the connection closed (HTTP/1.1) or the stream reset
 * (HTTP/2).
 */
final class BodyLimitedRequest extends HttpServerRequestWrapper {

    private final DefaultHttpExchange exchange;
    private final Promise<Void> ended = Promise.promise();
    private long seen;
    private boolean exceeded;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    /** Whether the action asked for {@link #end()} or {@link #body()}, and so hears of a failed read. */
    private boolean endRequested;

    BodyLimitedRequest(HttpServerRequestInternal delegate, DefaultHttpExchange exchange) {
        super(delegate);
        this.exchange = exchange;
        delegate.endHandler(this::ended);
    }

    /** Returns whether {@code request}'s body length is unknown until it ends, so only counting can bound it. */
    static boolean lengthUnknown(HttpServerRequest request) {
        if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            return false;
        }
        return request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    @Override
    public HttpServerRequest handler(Handler<Buffer> handler) {
        this.handler = handler;
        delegate.handler(handler == null ? null : this::chunk);
        return this;
    }

    @Override
    public HttpServerRequest endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }

    @Override
    public HttpServerRequest exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        delegate.exceptionHandler(handler == null ? null : this::failed);
        return this;
    }

    @Override
    public Future<Void> end() {
        endRequested = true;
        return ended.future();
    }

    @Override
    public Future<Buffer> body() {
        Promise<Buffer> body = Promise.promise();
        Buffer collected = Buffer.buffer();
        handler(collected::appendBuffer);
        endRequested = true;
        ended.future().onComplete(done -> {
            if (done.succeeded()) {
                body.tryComplete(collected);
            } else {
                body.tryFail(done.cause());
            }
        });
        return body.future();
    }

    private void chunk(Buffer chunk) {
        if (exceeded) {
            return;
        }
        seen += chunk.length();
        long limit = exchange.bodyLimit();
        if (limit > 0 && seen > limit) {
            exceeded(limit);
            return;
        }
        handler.handle(chunk);
    }

    private void ended(Void nothing) {
        if (exceeded) {
            return;
        }
        ended.tryComplete();
        if (endHandler != null) {
            endHandler.handle(null);
        }
    }

    private void failed(Throwable failure) {
        ended.tryFail(failure);
        if (exceptionHandler != null) {
            exceptionHandler.handle(failure);
        }
    }

    private void exceeded(long limit) {
        exceeded = true;
        delegate.handler(null); // the rest is read and dropped, never buffered
        delegate.resume();
        HttpStatusException tooLarge = new HttpStatusException(413, GatewayException.Source.DOWNSTREAM, false,
                "http: request body larger than " + limit + " bytes", null);
        boolean observed = exceptionHandler != null || endRequested;
        ended.tryFail(tooLarge);
        if (version() != HttpVersion.HTTP_2 && !response().headWritten()) {
            // The unread rest of the body would be taken for the next request.
            response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        if (exceptionHandler != null) {
            exceptionHandler.handle(tooLarge);
        } else if (!observed && !response().headWritten()) {
            HttpResponses.error(response(), 413, null).onComplete(v -> {
                if (version() == HttpVersion.HTTP_2) {
                    response().reset();
                } else {
                    connection().close();
                }
            });
        }
    }
}
