package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.util.List;

/**
 * Vert.x's HTTP/1.x request decoder with {@link Http1RequestGuardScanner} in front: before Netty's parser consumes
 * anything, the scanner examines every byte that has arrived, and when the parser reaches a request the scanner
 * refused, the decoder emits a failed request in its place (Vert.x answers it through the server's invalid request
 * handler, after the responses to the requests pipelined before it, and closes the connection) and drops the rest
 * of the stream. Nothing of a refused request reaches the request handler, unless its head had already been passed
 * on when the problem arrived (a later chunk of a streamed body): then the body fails, as with Netty's own chunk
 * errors.
 *
 * <p>This relies on Netty's {@code HttpObjectDecoder} never consuming past the end of a message in one
 * {@code decode} call, and never consuming a line before its LF has arrived.
 */
final class Http1RequestGuardDecoder extends VertxHttpRequestDecoder {

    private final Http1RequestGuardScanner scanner;
    /** Stream offset of the cumulation's reader index. */
    private long readerOffset;
    private boolean failed;
    private HeaderClock clock;

    Http1RequestGuardDecoder(HttpServerOptions options, int maxHeaders) {
        super(options);
        this.scanner = new Http1RequestGuardScanner(maxHeaders);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        clock = HeaderClock.of(ctx.channel());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed || refuse(in, out)) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (clock != null) {
            clock.inHead(scanner.inHead());
        }
        int readerIndex = in.readerIndex();
        int produced = out.size();
        super.decode(ctx, in, out);
        readerOffset += in.readerIndex() - readerIndex;
        for (int i = produced; i < out.size(); i++) {
            if (out.get(i) instanceof HttpObject object && object.decoderResult().isFailure()) {
                // Netty refused something itself and discards the rest of the stream from now on.
                failed = true;
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        // After a refusal nothing more is reported, not even the request left incomplete by the close.
        if (failed || refuse(in, out)) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    /** Scans what arrived; when the parser has reached a refused request, emits the failure and returns true. */
    private boolean refuse(ByteBuf in, List<Object> out) {
        scanner.scan(in, readerOffset);
        RuntimeException violation = scanner.violationReachedAt(readerOffset);
        if (violation == null) {
            return false;
        }
        failed = true;
        DecoderResult failure = DecoderResult.failure(violation);
        if (scanner.violationHeadPassedAt(readerOffset)) {
            DefaultLastHttpContent content = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            content.setDecoderResult(failure);
            out.add(content);
        } else {
            DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request",
                    HeadersMultiMap.httpHeaders());
            request.setDecoderResult(failure);
            out.add(request);
        }
        return true;
    }
}
