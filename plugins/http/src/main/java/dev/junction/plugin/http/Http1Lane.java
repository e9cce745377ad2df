package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.HostAndPort;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * The fast lane of an HTTP/1.1 connection: requests without a body, to a route that only proxies to HTTP/1.1
 * upstreams, are forwarded by a {@link LaneCall} at the Netty level (the request head written as bytes, the
 * response passed through as the upstream framed it) instead of through Vert.x's request and response objects.
 * Everything else (bodies, upgrades, {@code Expect}, other HTTP versions, routes with filters or other actions,
 * requests the guard or the decoder refused) continues to Vert.x as before.
 *
 * <p>It sits right after the request decoder, so the request guard has checked every byte first. Responses leave
 * in request order: while a lane request is in flight, what follows is held (and reading paused) until its
 * response ended; while Vert.x answers requests, the following ones go to Vert.x too. The connection's
 * {@link Http1RequestTrailers}, after the response encoder, tells when Vert.x's responses end. A close asked for while a lane response is being written
 * (a drain, an idle timeout) waits for its end.
 *
 * <p>Confined to the connection's event loop.
 */
final class Http1Lane extends ChannelDuplexHandler {

    static final String NAME = "junctionLane";

    private final HttpListener listener;
    private final ContextInternal context;
    private ChannelHandlerContext ctx;
    private String peer;
    /** Messages that arrived while a lane request was in flight, in order. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private LaneCall call;
    // Per-connection memos: the Host a client sends and its upstream pool rarely change between requests.
    private String lastHostHeader;
    private String lastHost;
    private HttpConnector lastConnector;
    private Http1Pool lastPool;
    private final ForwardedHeaders.ElementMemo forwardedMemo = new ForwardedHeaders.ElementMemo();
    /** The lane request's end marker is still to come from the decoder. */
    private boolean laneBodyPending;
    /** Requests handed to Vert.x whose responses have not ended. */
    private int vertxPending;
    private ChannelPromise closeRequested;
    /** Reading was paused to hold messages behind a lane request. */
    private boolean readPaused;
    /** Something went on to Vert.x since the end of the last read batch. */
    private boolean passedOn;
    private boolean retired;

    private Http1Lane(HttpListener listener, ContextInternal context) {
        this.listener = listener;
        this.context = context;
    }

    /**
     * Puts a lane on an HTTP/1.x connection whose decoder and {@link Http1RequestTrailers} are in place, and moves the
     * idle timeout in front of the codec (as an {@link IdleTimeout}) so that it sees the lane's reads and writes as
     * well as Vert.x's.
     */
    static void install(ChannelPipeline pipeline, String decoderName, HttpListener listener, ContextInternal context) {
        Http1RequestTrailers trailers = Http1RequestTrailers.of(pipeline.channel());
        if (pipeline.get(NAME) != null || pipeline.get("handler") == null || trailers == null) {
            return;
        }
        Http1Lane lane = new Http1Lane(listener, context);
        pipeline.addAfter(decoderName, NAME, lane);
        trailers.onResponseEnd(lane::vertxResponseEnded);
        if (pipeline.get("idle") instanceof IdleStateHandler idle) {
            pipeline.remove(idle);
            pipeline.addFirst("idle", IdleTimeout.replacing(idle));
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    HttpListener listener() {
        return listener;
    }

    ContextInternal context() {
        return context;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    /** Returns the client's IP address as text. */
    String peer() {
        if (peer == null) {
            peer = ctx.channel().remoteAddress() instanceof InetSocketAddress address
                    ? ForwardedHeaders.peerIp(io.vertx.core.net.SocketAddress.inetSocketAddress(address))
                    : "unknown";
        }
        return peer;
    }

    /** Returns whether the connection is to close once the current response ended. */
    boolean closing() {
        return closeRequested != null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (retired) {
            passOn(msg);
            return;
        }
        if (laneBodyPending && msg instanceof HttpContent content) {
            // The end marker the decoder emits after a request without a body.
            laneBodyPending = !(content instanceof LastHttpContent);
            content.release();
            return;
        }
        if (call != null) {
            held.addLast(msg);
            pauseReading();
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (retired) {
            passOn(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            if (vertxPending == 0 && closeRequested == null && !(msg instanceof HttpContent)) {
                LaneCall started = start(request);
                if (started != null) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
            }
            vertxPending++;
            if (request.headers().contains(HttpHeaderNames.UPGRADE)
                    || request.method() == io.netty.handler.codec.http.HttpMethod.CONNECT) {
                // Vert.x may turn the connection into HTTP/2, a WebSocket or a tunnel: step aside for good.
                retired = true;
                passOn(msg);
                retire();
                return;
            }
        }
        passOn(msg);
    }

    private void passOn(Object msg) {
        passedOn = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // A batch the lane took in full means nothing to Vert.x, whose connection ignores the end of a batch it
        // read nothing of: the event would only walk the rest of the pipeline.
        if (passedOn || retired) {
            passedOn = false;
            ctx.fireChannelReadComplete();
        }
    }

    /** Starts a lane call for {@code request} when it qualifies; returns null to leave it to Vert.x. */
    private LaneCall start(HttpRequest request) {
        if (!request.decoderResult().isSuccess() || request.protocolVersion() != HttpVersion.HTTP_1_1) {
            return null;
        }
        // One pass over the fields for what decides the lane, rather than a lookup per name.
        String hostHeader = null;
        String connection = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> fields = request.headers().iteratorCharSequence();
        while (fields.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            CharSequence name = field.getKey();
            switch (name.length()) {
                case 4 -> {
                    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
                        hostHeader = field.getValue().toString();
                    }
                }
                case 6 -> {
                    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.EXPECT)) {
                        return null;
                    }
                }
                case 7 -> {
                    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE)) {
                        return null;
                    }
                }
                case 10 -> {
                    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
                        // Repeated Connection fields are one list (RFC 9110 5.3): every option counts.
                        String options = field.getValue().toString();
                        connection = connection == null ? options : connection + ", " + options;
                    }
                }
                case 14 -> {
                    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)
                            && !AsciiString.contentEquals(field.getValue(), "0")) {
                        return null;
                    }
                }
                case 17 -> {
                    if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
                        return null;
                    }
                }
                default -> {
                }
            }
        }
        String uri = request.uri();
        HttpListenerOptions options = listener.options();
        if (hostHeader == null || uri.isEmpty() || uri.charAt(0) != '/' || uri.length() > options.maxUriLength()) {
            return null;
        }
        int question = uri.indexOf('?');
        String path = PathNormalizer.normalize(question < 0 ? uri : uri.substring(0, question));
        String host = host(hostHeader);
        if (path == null || host == null) {
            return null;
        }
        String query = question < 0 ? null : uri.substring(question + 1);
        HttpMethod method = HttpMethod.fromNetty(request.method());
        MultiMap headers = (MultiMap) request.headers();
        HttpListener.CompiledRoute route;
        try {
            route = listener.select(method, headers, query, host, path);
        } catch (IllegalArgumentException e) {
            return null; // a query the route conditions cannot decode: Vert.x's path answers 400
        }
        ProxyAction action = route == null ? null : route.lane();
        if (action == null) {
            return null;
        }
        long start = System.nanoTime();
        laneBodyPending = !(request instanceof LastHttpContent);
        LaneCall started = new LaneCall(this, route, action, method, headers, connection, hostHeader, host, path,
                query, start);
        call = started;
        started.start(); // may end at once (no endpoint available): the lane is then free again
        return started;
    }

    /** Returns the routing host of a {@code Host} value (lower case, no port), or null when it is invalid. */
    private String host(String hostHeader) {
        if (hostHeader.equals(lastHostHeader)) {
            return lastHost;
        }
        HostAndPort authority = HostAndPort.parseAuthority(hostHeader, -1);
        String host = authority == null ? null : HttpListener.host(authority);
        lastHostHeader = hostHeader;
        lastHost = host;
        return host;
    }

    /** Returns {@code connector}'s connections of this connection's event loop, or null once it closed. */
    Http1Pool pool(HttpConnector connector) {
        if (connector != lastConnector) {
            lastPool = connector.pool(ctx.channel().eventLoop());
            lastConnector = lastPool == null ? null : connector;
        }
        return lastPool;
    }

    ForwardedHeaders.ElementMemo forwardedMemo() {
        return forwardedMemo;
    }

    /** Writes bytes of the lane's response; {@link #flush} sends them. */
    void write(ByteBuf bytes) {
        ctx.write(bytes, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    /**
     * Ends the lane call: closes the connection when {@code close} or a close was asked for, else lets the held
     * messages through.
     */
    void done(LaneCall finished, boolean close) {
        if (call != finished) {
            return;
        }
        call = null;
        if (close || closeRequested != null) {
            release();
            ChannelPromise promise = closeRequested != null ? closeRequested : ctx.newPromise();
            // Close once everything written has left, not while the response's tail may still be queued.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> ctx.close(promise));
            return;
        }
        if (held.isEmpty()) {
            resumeReading();
            return;
        }
        // Resume first: a request handed to Vert.x below may pause the connection again.
        resumeReading();
        Object next;
        while (call == null && (next = held.pollFirst()) != null) {
            if (laneBodyPending && next instanceof HttpContent content) {
                laneBodyPending = !(content instanceof LastHttpContent);
                content.release();
                continue;
            }
            dispatch(next);
        }
        if (call != null) {
            pauseReading();
        }
        // What went on to Vert.x was a read batch of its own: Vert.x flushes what it wrote when a batch completes.
        channelReadComplete(ctx);
    }

    private void pauseReading() {
        if (!readPaused) {
            readPaused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resumeReading() {
        if (readPaused) {
            readPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        LaneCall current = call;
        if (current != null && ctx.channel().isWritable()) {
            current.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LaneCall current = call;
        call = null;
        if (current != null) {
            current.clientGone();
        }
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (vertxPending == 0 && ctx.pipeline().get("h2c") != null) {
            // Vert.x has not built its HTTP/1.x connection (only fast-path requests came): the socket underneath
            // would log a reset by the client as an error. The connection is done either way.
            LaneCall current = call;
            call = null;
            if (current != null) {
                current.clientGone();
            }
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.vertx.core.net.impl.ShutdownEvent && ctx.pipeline().get("h2c") != null
                && vertxPending == 0) {
            // With h2c on, Vert.x builds its HTTP/1.x connection when a first request reaches it; on a connection
            // that only carried fast-path requests nobody else closes the idle connection when a drain starts.
            if (call == null) {
                ctx.close();
            } else {
                closeRequested = ctx.newPromise();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (call != null && ctx.channel().isActive()) {
            closeRequested = promise; // once the response in flight ended
            return;
        }
        release();
        ctx.close(promise);
    }

    private void release() {
        Object next;
        while ((next = held.pollFirst()) != null) {
            ReferenceCountUtil.release(next);
        }
    }

    private void retire() {
        ChannelPipeline pipeline = ctx.pipeline();
        Http1RequestTrailers trailers = Http1RequestTrailers.of(ctx.channel());
        if (trailers != null) {
            trailers.onResponseEnd(null);
        }
        if (pipeline.get(NAME) == this) {
            pipeline.remove(this);
        }
    }

    private void vertxResponseEnded() {
        if (vertxPending > 0) {
            vertxPending--;
        }
    }

}
