package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.GatewayException.Source;
import dev.junction.spi.http.HttpStatusException;
import dev.junction.spi.net.IpMatcher;
import dev.junction.spi.upstream.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.HostAndPort;
import java.util.concurrent.TimeUnit;

/**
 * One request on its way through a {@link ProxyAction}: choose an endpoint, send the head, stream the body up and
 * the response down with backpressure, and retry on another endpoint when that is safe. Confined to the request's
 * event loop; its deadlines are checked by the loop's {@link ProxyTimeouts}.
 *
 * <p>A retry is safe when no byte of the request body went upstream yet and either the connection never opened
 * or the method is idempotent, and no byte of the response went to the client. Bodies are never buffered to make
 * more requests retryable.
 *
 * <p>The response is written with as few writes as the upstream allows: a chunk is held until the end of the
 * event-loop turn that read it, so a response whose head, body and end arrive together leaves in one write.
 */
final class ProxyCall extends ProxyAttempts {


    private final DefaultHttpExchange exchange;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final ContextInternal context;
    private final Promise<Void> done;
    private final boolean hasContentLength;
    private UpstreamRequest upstreamRequest;
    private long sentNanos;
    private boolean bodyStarted;
    private boolean requestEnded;
    /** The request's trailer fields fit to forward, once its body ended with some; kept for retries. */
    private MultiMap trailers;
    // Response coalescing: a chunk read from the upstream but not yet written, and whether a flush is queued.
    private Buffer pendingChunk;
    private boolean flushQueued;
    private final Runnable flushPending = this::flushPending;

    ProxyCall(ProxyAction action, DefaultHttpExchange exchange) {
        this(action, exchange, ContextInternal.current());
    }

    private ProxyCall(ProxyAction action, DefaultHttpExchange exchange, ContextInternal context) {
        super(action, ProxyAction.idempotent(exchange.request().method()),
                exchange.listener().plugin().meterRegistry(), context.nettyEventLoop(), exchange.startNanos);
        this.exchange = exchange;
        this.request = exchange.request();
        this.response = request.response();
        this.context = context;
        this.done = context.promise();
        this.hasContentLength = request.headers().contains(HttpHeaders.CONTENT_LENGTH);
    }

    Future<Void> start() {
        response.closeHandler(v -> clientGone());
        response.exceptionHandler(failure -> clientGone());
        begin();
        return done.future();
    }

    @Override
    String hashKey() {
        return switch (action.hashKey.kind()) {
            case NONE -> "";
            case CLIENT_ADDRESS -> exchange.clientIp();
            case PATH -> exchange.path();
            case HEADER -> {
                String value = request.getHeader(action.hashKey.name());
                yield value == null ? "" : value;
            }
            case COOKIE -> {
                Cookie cookie = request.getCookie(action.hashKey.name());
                yield cookie == null ? "" : cookie.getValue();
            }
        };
    }

    @Override
    void send(Endpoint endpoint) {
        exchange.upstream(target.upstream().name(), endpoint.toString());
        String uri = exchange.query() == null ? exchange.path() : exchange.path() + '?' + exchange.query();
        long started = System.nanoTime();
        target.connector().request(endpoint, request.method(), uri).onComplete(sent -> {
            if (sent.failed()) {
                attemptFailed(sent.cause(), ProxyFailures.Kind.CONNECT);
                return;
            }
            exchange.connectNanos(System.nanoTime() - started);
            sendOn(sent.result(), endpoint);
        });
    }

    private void sendOn(UpstreamRequest up, Endpoint endpoint) {
        if (finished) {
            up.reset();
            return;
        }
        upstreamRequest = up;
        up.authority(authority(endpoint));
        MultiMap headers = up.headers();
        ForwardedHeaders.copyEndToEnd(request.headers(), headers, true);
        HttpListenerOptions options = exchange.listener().options();
        boolean trusted = !options.trustedProxies().isEmpty()
                && options.trustedProxies().contains(IpMatcher.addressBytes(request.remoteAddress()));
        ForwardedHeaders.addForwarding(request, headers, trusted, exchange.listener().via(request.version()),
                exchange.host(), exchange.scheme());
        up.response().onComplete(result -> {
            if (up != upstreamRequest || finished) {
                return;
            }
            if (result.failed()) {
                attemptFailed(result.cause(), ProxyFailures.kindOf(result.cause()));
            } else {
                respond(result.result());
            }
        });
        sentNanos = System.nanoTime();
        boolean chunkedUpstream = !hasContentLength && !up.http2();
        if (requestEnded) {
            endUpstream(up, chunkedUpstream);
            armFirstByte(sentNanos);
            return;
        }
        request.exceptionHandler(failure -> {
            if (failure instanceof HttpStatusException status && status.status() == 413) {
                bodyTooLarge(status);
            }
        });
        request.handler(chunk -> {
            if (chunk.length() == 0) {
                return; // HTTP/2 may end a stream with an empty DATA frame: no body to announce upstream
            }
            activity++;
            if (!bodyStarted) {
                bodyStarted = true;
                if (chunkedUpstream) {
                    up.setChunked(true);
                }
            }
            up.write(chunk);
            if (up.writeQueueFull()) {
                request.pause();
                up.drainHandler(v -> request.resume());
            }
        });
        request.endHandler(v -> {
            requestEnded();
            if (up == upstreamRequest && !finished) {
                endUpstream(up, chunkedUpstream);
                armFirstByte(System.nanoTime());
            }
        });
        request.resume();
    }

    /** Notes that the request's body ended, and takes the trailer fields it ended with. */
    private void requestEnded() {
        requestEnded = true;
        MultiMap received = Http1RequestTrailers.take(request);
        if (received != null) {
            MultiMap forwarded = MultiMap.caseInsensitiveMultiMap();
            ForwardedHeaders.copyRequestTrailers(received, request.getHeader(HttpHeaders.CONNECTION), forwarded::add);
            trailers = forwarded.isEmpty() ? null : forwarded;
        }
    }

    /** Ends the upstream request, with the request's trailer fields when it had some. */
    private void endUpstream(UpstreamRequest up, boolean chunkedUpstream) {
        if (trailers == null) {
            up.end();
            return;
        }
        if (!bodyStarted && chunkedUpstream) {
            up.setChunked(true); // trailer fields need the chunked coding, even after an empty body
        }
        up.endWithTrailers(trailers);
    }

    private HostAndPort authority(Endpoint endpoint) {
        return switch (action.host) {
            case "preserve" -> {
                HostAndPort original = request.authority();
                if (original == null) {
                    yield HostAndPort.create(endpoint.host(), endpoint.port());
                }
                // The authority as the client wrote it (an empty port stays empty, not :0); it is only printed.
                String sent = ForwardedHeaders.sentAuthority(request);
                yield sent == null || sent.equals(original.toString()) ? original : HostAndPort.create(sent, -1);
            }
            case "endpoint" -> HostAndPort.create(endpoint.host(), endpoint.port());
            default -> HostAndPort.authority(action.host);
        };
    }

    private void respond(UpstreamRequest.UpstreamResponse upstream) {
        firstByteArrived();
        long now = System.nanoTime();
        exchange.firstByteNanos(now);
        meters.firstByte.record(now - sentNanos, TimeUnit.NANOSECONDS);
        int status = upstream.statusCode();
        meters.answered(status);
        if (retriesStatus(status)) {
            return;
        }
        Throwable outcome = status >= 500
                ? new GatewayException(Source.UPSTREAM, true, "http: upstream answered " + status) : null;
        response.setStatusCode(status);
        MultiMap out = response.headers();
        ForwardedHeaders.copyEndToEnd(upstream.responseHeaders(), out, false);
        out.add(ForwardedHeaders.VIA, exchange.listener().via(upstream.version()));
        if (!out.contains(HttpHeaders.CONTENT_LENGTH) && request.method() != HttpMethod.HEAD
                && status != 204 && status != 304 && status >= 200) {
            response.setChunked(true);
        }
        upstream.handler(chunk -> {
            activity++;
            if (pendingChunk != null) {
                // A body in several pieces: write the held one now, never copy pieces together.
                writePending();
            }
            pendingChunk = chunk;
            if (!flushQueued) {
                flushQueued = true;
                context.runOnContext(v -> flushPending.run());
            }
            if (response.writeQueueFull()) {
                upstream.pause();
                response.drainHandler(v -> upstream.resume());
            }
        });
        upstream.exceptionHandler(failure -> {
            if (!finished) {
                releaseLease(failure);
                meters.failed();
                fail(new GatewayException(Source.UPSTREAM, false, "http: upstream " + target.upstream().name()
                        + " (" + exchange.endpoint + ") failed mid-response: " + failure.getMessage(), failure));
            }
        });
        upstream.endHandler(v -> {
            MultiMap trailers = upstream.trailers();
            if (!trailers.isEmpty()) {
                response.trailers().addAll(trailers);
            }
            releaseLease(outcome);
            Buffer chunk = pendingChunk;
            pendingChunk = null;
            exchange.prepareResponseHead();
            Buffer last = exchange.transformBody(chunk, true);
            if (last.length() == 0) {
                response.end();
            } else {
                response.end(last);
            }
            finish(null); // a write that fails after this is the client's leaving, seen by the close handler
        });
    }

    /** Writes the chunk held back at the end of the event-loop turn that read it. */
    private void flushPending() {
        flushQueued = false;
        writePending();
    }

    private void writePending() {
        Buffer chunk = pendingChunk;
        if (chunk == null || finished || response.ended()) {
            return;
        }
        pendingChunk = null;
        exchange.prepareResponseHead();
        Buffer out = exchange.transformBody(chunk, false);
        if (out.length() > 0) {
            response.write(out);
        } else if (!response.headWritten()) {
            response.writeHead(); // a transform that holds bytes back: the head need not wait for them
        }
    }

    @Override
    boolean upstreamActive() {
        return upstreamRequest != null;
    }

    @Override
    boolean responseStarted() {
        return response.headWritten();
    }

    @Override
    boolean requestCommitted() {
        return bodyStarted;
    }

    @Override
    boolean clientLeft() {
        return response.closed();
    }

    @Override
    void retrying() {
        exchange.retried();
        upstreamRequest = null;
        if (!requestEnded) {
            request.pause();
            request.handler(null);
            request.endHandler(v -> requestEnded());
        }
    }

    private void bodyTooLarge(HttpStatusException tooLarge) {
        if (finished) {
            return;
        }
        request.handler(null);
        releaseLease(null); // the client's doing: not the endpoint's fault
        fail(tooLarge);
        resetUpstream();
    }

    @Override
    void clientGone() {
        if (finished) {
            return;
        }
        releaseLease(null); // the client's doing: not the endpoint's fault
        fail(new ClientGoneException());
        resetUpstream();
    }

    @Override
    void resetUpstream() {
        UpstreamRequest up = upstreamRequest;
        upstreamRequest = null;
        if (up != null) {
            up.reset();
        }
    }

    /** Returns whether an HTTP/1.x request announced a body (a non-zero length, or a transfer coding). */
    private static boolean mayHaveBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return (length != null && !length.equals("0")) || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    @Override
    void fail(Throwable failure) {
        finish(failure);
    }

    private void finish(Throwable failure) {
        if (!endAttempts()) {
            return;
        }
        pendingChunk = null;
        if (!requestEnded && !response.closed()) {
            request.handler(null);
            request.endHandler(null);
            if (failure != null && request.version() != HttpVersion.HTTP_2 && !response.headWritten()
                    && mayHaveBody(request)) {
                // Part of the body is unread: the connection cannot carry another request.
                response.putHeader(HttpHeaders.CONNECTION, "close");
            }
            request.resume();
        }
        if (failure == null) {
            done.complete();
        } else {
            done.fail(failure);
        }
    }
}
