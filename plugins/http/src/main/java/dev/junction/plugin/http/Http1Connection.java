package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AsciiString;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * One pooled HTTP/1.1 connection to an upstream endpoint, carrying one exchange at a time, and going back to its
 * {@link Http1Pool.EndpointPool} once the exchange is complete and the upstream keeps the connection alive.
 * Requests are written as bytes and responses read by an {@link Http1ResponseReader}, in one of two ways:
 * <ul>
 *   <li>{@link #begin} makes it the {@link UpstreamRequest} (headers filled in, body streamed with backpressure)
 *       and then the {@link UpstreamRequest.UpstreamResponse} with decoded headers and body, for the general
 *       proxy path;</li>
 *   <li>{@link #exchange} sends a complete request head and passes the response on as it arrived
 *       ({@link RawExchange}), for the HTTP/1.1 fast lane.</li>
 * </ul>
 * Confined to its channel's event loop.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter
        implements UpstreamRequest, UpstreamRequest.UpstreamResponse, Http1ResponseReader.Sink {

    /** A response passed on as received, to a caller that sent a complete request with {@link #exchange}. */
    interface RawExchange extends Http1ResponseReader.Sink {
        /** The exchange failed: no response came, or it broke off mid-way. */
        void failed(Throwable cause);

        /** A batch of reads ended: what was passed on may be flushed. */
        void readComplete();
    }

    private static final byte[] HTTP11_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final Object END = new Object();

    private final Http1Pool.EndpointPool pool;
    private final int maxHeadSize;
    private Channel channel;
    private Http1ResponseReader reader;
    private boolean inactive;
    private long idleSince;

    // The current exchange.
    private boolean active;
    private RawExchange raw;
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
    /** The response being read came as HTTP/1.0. */
    private boolean http10;
    private MultiMap responseHeaders;
    private MultiMap trailers;
    private Handler<Buffer> chunkHandler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private boolean paused;
    private boolean reading;
    /** Chunks (and the end, as {@link #END}) read while paused or before the handlers were set. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();

    Http1Connection(Http1Pool.EndpointPool pool, int maxHeadSize) {
        this.pool = pool;
        this.maxHeadSize = maxHeadSize;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        reader = new Http1ResponseReader(channel.alloc(), maxHeadSize);
    }

    /** Returns whether this idle connection may carry another request. */
    boolean reusable(long now, long keepAliveNanos) {
        return !inactive && channel.isActive() && now - idleSince < keepAliveNanos;
    }

    Channel channel() {
        return channel;
    }

    /** Returns the body bytes of the current exchange's response so far, without the chunked framing. */
    long bodyBytes() {
        return reader.bodyBytes();
    }

    private void startExchange() {
        this.active = true;
        this.headSent = false;
        this.requestEnded = false;
        this.responseEnded = false;
        this.abandoned = false;
        this.keepAlive = true;
        this.status = 0;
        this.paused = false;
    }

    /** Starts a request whose headers and body the caller provides through {@link UpstreamRequest}. */
    UpstreamRequest begin(HttpMethod method, String uri, ContextInternal context) {
        startExchange();
        this.raw = null;
        this.method = method;
        this.uri = uri;
        this.requestHeaders = HeadersMultiMap.httpHeaders();
        this.chunked = false;
        this.response = context.promise();
        this.responseHeaders = null;
        this.trailers = null;
        this.chunkHandler = null;
        this.endHandler = null;
        this.exceptionHandler = null;
        this.drainHandler = null;
        this.pending.clear();
        reader.expect(Http1ResponseReader.Mode.DECODED, method == HttpMethod.HEAD, this);
        return this;
    }

    /**
     * Sends a complete request without a body ({@code head}, which this takes ownership of) and passes the
     * response to {@code exchange} as it arrives, framing included.
     */
    void exchange(ByteBuf head, boolean headRequest, RawExchange exchange) {
        startExchange();
        this.raw = exchange;
        this.response = null;
        this.pending.clear();
        this.requestEnded = true;
        this.headSent = true;
        reader.expect(Http1ResponseReader.Mode.RAW, headRequest, this);
        channel.writeAndFlush(head, channel.voidPromise());
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
        requestHeaders.set(HOST, authority.toString());
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
        ByteBuf data = ((BufferInternal) chunk).getByteBuf();
        if (abandoned) {
            data.release();
            return;
        }
        sendHead();
        if (chunked) {
            if (!data.isReadable()) {
                data.release();
                return; // an empty chunk would end the body
            }
            ByteBuf size = channel.alloc().buffer(18);
            ByteBufUtil.writeAscii(size, Integer.toHexString(data.readableBytes()));
            size.writeBytes(CRLF);
            channel.write(size, channel.voidPromise());
            channel.write(data, channel.voidPromise());
            channel.writeAndFlush(channel.alloc().buffer(2).writeBytes(CRLF), channel.voidPromise());
        } else {
            channel.writeAndFlush(data, channel.voidPromise());
        }
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
        endWithTrailers(null);
    }

    @Override
    public void endWithTrailers(MultiMap trailers) {
        if (abandoned || requestEnded) {
            return;
        }
        sendHead();
        if (chunked && (trailers == null || trailers.isEmpty())) {
            channel.write(channel.alloc().buffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK), channel.voidPromise());
        } else if (chunked) {
            // The last chunk, the trailer section, and the empty line that ends the request.
            HeadWriter last = HeadWriter.get();
            last.ascii('0').crlf();
            for (Map.Entry<String, String> field : trailers) {
                last.add(field.getKey(), field.getValue());
            }
            last.crlf();
            channel.write(last.toBuffer(channel.alloc()), channel.voidPromise());
        }
        channel.flush();
        requestEnded = true;
        releaseIfDone();
    }

    /** Writes the request line and fields; flushed with the first body bytes or the end. */
    private void sendHead() {
        if (headSent) {
            return;
        }
        headSent = true;
        if (chunked) {
            requestHeaders.set(TRANSFER_ENCODING, CHUNKED);
        }
        HeadWriter head = HeadWriter.get();
        head.latin1(method.name()).ascii(' ').utf8(uri).bytes(HTTP11_CRLF);
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = requestHeaders.iteratorCharSequence();
        while (entries.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = entries.next();
            head.add(field.getKey(), field.getValue());
        }
        head.crlf();
        channel.write(head.toBuffer(channel.alloc()), channel.voidPromise());
    }

    @Override
    public void reset() {
        if (!active) {
            return;
        }
        abandoned = true;
        active = false;
        if (response != null) {
            response.tryFail(new GatewayException(GatewayException.Source.UPSTREAM, false, "http: request abandoned"));
        }
        raw = null;
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
    public HttpVersion version() {
        return http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
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

    // Http1ResponseReader.Sink: passed on to the raw exchange, or decoded for the UpstreamResponse

    @Override
    public void head(Http1ResponseHead head) {
        if (abandoned) {
            return;
        }
        keepAlive = head.keepAlive();
        status = head.status();
        http10 = head.http10();
        if (raw != null) {
            raw.head(head);
            return;
        }
        responseHeaders = head.headers();
        response.tryComplete(this);
    }

    @Override
    public void content(ByteBuf bytes) {
        if (abandoned) {
            bytes.release();
            return;
        }
        if (raw != null) {
            raw.content(bytes);
            return;
        }
        // Vert.x never releases what its buffers wrap: hand over a heap copy and free the pooled slice.
        pending.addLast(BufferInternal.safeBuffer(bytes));
        drainPending();
    }

    @Override
    public void end(MultiMap trailers) {
        if (abandoned) {
            return;
        }
        if (raw != null) {
            RawExchange exchange = raw;
            responseEnded = true;
            exchange.end(trailers);
            releaseIfDone();
            return;
        }
        if (!trailers.isEmpty()) {
            this.trailers = trailers;
        }
        pending.addLast(END);
        drainPending();
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
        if (active && requestEnded && responseEnded && !reading) {
            active = false;
            // Let go of the finished exchange's handlers while the connection waits in the pool.
            raw = null;
            chunkHandler = null;
            endHandler = null;
            exceptionHandler = null;
            drainHandler = null;
            idleSince = System.nanoTime();
            pool.release(this, keepAlive && !inactive);
        }
    }

    // Netty

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf in = (ByteBuf) message;
        // A connection that completes its exchange here goes back to the pool only after the whole read: bytes
        // after the response's end are the upstream talking out of turn, and the connection is not reused then.
        reading = true;
        try {
            if (!active) {
                close(); // nothing asked for it: an upstream talking out of turn
                return;
            }
            reader.read(in);
        } catch (RuntimeException e) {
            if (responseEnded) {
                keepAlive = false;
            } else if (active) {
                fail(e);
            } else {
                close();
            }
        } finally {
            reading = false;
            in.release();
        }
        releaseIfDone();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        RawExchange exchange = raw;
        if (exchange != null) {
            exchange.readComplete();
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
            try {
                reader.closed(); // ends a response read until the close
            } catch (RuntimeException e) {
                fail(new GatewayException(GatewayException.Source.UPSTREAM, true,
                        "http: upstream closed the connection" + (reader.head() == null ? " before answering"
                                : " mid-response"), e));
            }
        }
        reader.release();
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
        pending.clear(); // heap copies only
        RawExchange exchange = raw;
        raw = null;
        if (exchange != null) {
            exchange.failed(cause);
        } else if (response != null && !response.tryFail(cause)) {
            Handler<Throwable> handler = exceptionHandler;
            if (handler != null && !responseEnded) {
                handler.handle(cause);
            }
        }
        close();
    }
}
