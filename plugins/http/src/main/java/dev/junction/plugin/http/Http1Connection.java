package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.HostAndPort;
import java.util.ArrayDeque;

/**
 * One pooled HTTP/1.1 connection to an upstream endpoint, carrying one exchange at a time: it is the
 * {@link UpstreamRequest} while a request is written and the {@link UpstreamRequest.UpstreamResponse} while the
 * answer is read, and goes back to its {@link Http1Pool.EndpointPool} once both are complete and the upstream keeps
 * the connection alive. Confined to its channel's event loop.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter
        implements UpstreamRequest, UpstreamRequest.UpstreamResponse {

    private final Http1Pool.EndpointPool pool;
    private Channel channel;
    private boolean inactive;
    private long idleSince;

    // The current exchange.
    private boolean active;
    private HttpMethod method;
    private String uri;
    private HeadersMultiMap requestHeaders;
    private boolean chunked;
    private boolean headSent;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean abandoned;
    private boolean keepAlive;
    private Promise<UpstreamResponse> response;
    private int status;
    private MultiMap responseHeaders;
    private MultiMap trailers;
    private Handler<Buffer> chunkHandler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private boolean paused;
    /** Chunks (and the end, as {@link LastHttpContent}) decoded while paused or before the handlers were set. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();

    Http1Connection(Http1Pool.EndpointPool pool) {
        this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Returns whether this idle connection may carry another request. */
    boolean reusable(long now, long keepAliveNanos) {
        return !inactive && channel.isActive() && now - idleSince < keepAliveNanos;
    }

    UpstreamRequest begin(HttpMethod method, String uri, io.vertx.core.internal.ContextInternal context) {
        this.active = true;
        this.method = method;
        this.uri = uri;
        this.requestHeaders = HeadersMultiMap.httpHeaders();
        this.chunked = false;
        this.headSent = false;
        this.requestEnded = false;
        this.responseEnded = false;
        this.abandoned = false;
        this.keepAlive = true;
        this.response = context.promise();
        this.status = 0;
        this.responseHeaders = null;
        this.trailers = null;
        this.chunkHandler = null;
        this.endHandler = null;
        this.exceptionHandler = null;
        this.drainHandler = null;
        this.paused = false;
        this.pending.clear();
        return this;
    }

    void close() {
        inactive = true;
        channel.close();
    }

    // UpstreamRequest

    @Override
    public MultiMap headers() {
        return requestHeaders;
    }

    @Override
    public void authority(HostAndPort authority) {
        requestHeaders.set(HttpHeaderNames.HOST, authority.toString());
    }

    @Override
    public boolean http2() {
        return false;
    }

    @Override
    public void setChunked(boolean chunked) {
        this.chunked = chunked;
    }

    @Override
    public void write(Buffer chunk) {
        if (abandoned) {
            return;
        }
        sendHead();
        channel.writeAndFlush(new DefaultHttpContent(((BufferInternal) chunk).getByteBuf()), channel.voidPromise());
    }

    @Override
    public boolean writeQueueFull() {
        return !channel.isWritable();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
    }

    @Override
    public void end() {
        if (abandoned || requestEnded) {
            return;
        }
        sendHead();
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        requestEnded = true;
        releaseIfDone();
    }

    private void sendHead() {
        if (headSent) {
            return;
        }
        headSent = true;
        DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(method.name()), uri, requestHeaders);
        if (chunked) {
            requestHeaders.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        channel.write(head, channel.voidPromise());
    }

    @Override
    public void reset() {
        if (!active) {
            return;
        }
        abandoned = true;
        active = false;
        response.tryFail(new GatewayException(GatewayException.Source.UPSTREAM, false, "http: request abandoned"));
        close(); // what was sent cannot be taken back: the connection is not reused
    }

    @Override
    public Future<UpstreamResponse> response() {
        return response.future();
    }

    // UpstreamResponse

    @Override
    public int statusCode() {
        return status;
    }

    @Override
    public MultiMap responseHeaders() {
        return responseHeaders;
    }

    @Override
    public void handler(Handler<Buffer> handler) {
        this.chunkHandler = handler;
        drainPending();
    }

    @Override
    public void endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        drainPending();
    }

    @Override
    public void exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
    }

    @Override
    public MultiMap trailers() {
        return trailers == null ? HeadersMultiMap.httpHeaders() : trailers;
    }

    @Override
    public void pause() {
        paused = true;
        channel.config().setAutoRead(false);
    }

    @Override
    public void resume() {
        paused = false;
        drainPending();
        if (!paused && !inactive) {
            channel.config().setAutoRead(true);
        }
    }

    // Netty

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!active) {
            ReferenceCountUtil.release(message); // nothing asked for it: an upstream talking out of turn
            if (!(message instanceof LastHttpContent)) {
                close();
            }
            return;
        }
        if (message instanceof HttpResponse head) {
            int code = head.status().code();
            if (code >= 100 && code < 200) {
                if (code == 101) {
                    fail(new GatewayException(GatewayException.Source.UPSTREAM, false,
                            "http: upstream switched protocols on a plain request"));
                }
                // 100 Continue and 103 Early Hints: informational, the real answer follows.
                ReferenceCountUtil.release(message);
                return;
            }
            status = code;
            responseHeaders = (MultiMap) head.headers();
            keepAlive = HttpUtil.isKeepAlive(head);
            response.tryComplete(this);
        }
        if (message instanceof HttpContent content) {
            if (status == 0) {
                content.release(); // the content of an informational response
                return;
            }
            if (content.content().isReadable()) {
                pending.addLast(BufferInternal.safeBuffer(content.content()));
            } else {
                content.release();
            }
            if (content instanceof LastHttpContent last) {
                if (!last.trailingHeaders().isEmpty()) {
                    trailers = (MultiMap) last.trailingHeaders();
                }
                pending.addLast(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            drainPending();
        }
    }

    private void drainPending() {
        while (!paused && !pending.isEmpty()) {
            Object next = pending.peekFirst();
            if (next instanceof Buffer chunk) {
                if (chunkHandler == null) {
                    return;
                }
                pending.pollFirst();
                chunkHandler.handle(chunk);
            } else {
                if (endHandler == null) {
                    return;
                }
                pending.pollFirst();
                responseEnded = true;
                Handler<Void> end = endHandler;
                end.handle(null);
                releaseIfDone();
            }
        }
    }

    private void releaseIfDone() {
        if (active && requestEnded && responseEnded) {
            active = false;
            // Let go of the finished exchange's handlers while the connection waits in the pool.
            chunkHandler = null;
            endHandler = null;
            exceptionHandler = null;
            drainHandler = null;
            idleSince = System.nanoTime();
            pool.release(this, keepAlive && !inactive);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Handler<Void> drain = drainHandler;
        if (drain != null && channel.isWritable()) {
            drainHandler = null;
            drain.handle(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        if (active) {
            fail(new GatewayException(GatewayException.Source.UPSTREAM, true,
                    "http: upstream closed the connection" + (status == 0 ? " before answering" : " mid-response")));
        }
        pool.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (active) {
            fail(cause);
        }
        close();
    }

    private void fail(Throwable cause) {
        active = false;
        pending.clear();
        if (!response.tryFail(cause)) {
            Handler<Throwable> handler = exceptionHandler;
            if (handler != null && !responseEnded) {
                handler.handle(cause);
            }
        }
        close();
    }
}
