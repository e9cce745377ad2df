package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Sits in front of Vert.x's HTTP/1.x-or-h2c detection on a new cleartext connection, which creates the HTTP/1.x
 * decoder only once the first bytes have shown that the connection is not HTTP/2 with prior knowledge. This handler
 * does the same detection: on HTTP/2 it steps aside; otherwise it passes on the bytes up to the first one that
 * differs from the HTTP/2 preface (Vert.x then builds its HTTP/1.x pipeline, its decoder holding just those bytes),
 * puts an {@link Http1RequestGuardDecoder} in place of that decoder (Netty hands the bytes held over to the
 * replacement), passes on the rest and removes itself.
 *
 * <p>Empty lines before the first request are dropped here (RFC 9112 2.2); any other control character at the
 * start of the stream, and a request line beginning like the HTTP/2 preface ({@code PRI *}), are answered with 400
 * directly, as no response can be pending yet.
 */
final class Http1RequestGuardPrefaceHandler extends ChannelInboundHandlerAdapter {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Once "PRI *" matched, a stream that is not HTTP/2 holds a request line this gateway refuses anyway. */
    private static final int REFUSED_PREFIX = 5;

    private final Http1RequestGuard.Settings settings;
    private final io.vertx.core.internal.ContextInternal context;
    private int matched;
    private boolean carriageReturnSeen;
    private boolean refused;

    Http1RequestGuardPrefaceHandler(Http1RequestGuard.Settings settings,
            io.vertx.core.internal.ContextInternal context) {
        this.settings = settings;
        this.context = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int p = start;
        while (matched == 0 && p < end) {
            byte b = buf.getByte(p);
            if (carriageReturnSeen) {
                if (b != '\n') {
                    refuse(ctx, buf);
                    return;
                }
                carriageReturnSeen = false;
            } else if (b == '\r') {
                carriageReturnSeen = true;
            } else if (b < 0x21 || b == 0x7F) {
                refuse(ctx, buf);
                return;
            } else {
                break;
            }
            p++;
        }
        buf.readerIndex(p);
        if (p == end) {
            buf.release();
            return;
        }
        int i = 0;
        while (p + i < end && matched + i < PREFACE.length && buf.getByte(p + i) == PREFACE[matched + i]) {
            i++;
        }
        if (matched + i == PREFACE.length) {
            HeaderClock.stop(ctx.channel());
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(buf);
            return;
        }
        if (p + i == end) {
            // A prefix of the preface so far: Vert.x keeps it until the rest tells.
            matched += i;
            ctx.fireChannelRead(buf);
            return;
        }
        if (matched + i >= REFUSED_PREFIX) {
            refuse(ctx, buf);
            return;
        }
        ctx.fireChannelRead(buf.retainedSlice(p, i + 1));
        buf.skipBytes(i + 1);
        settings.replaceDecoder(ctx.pipeline(), context);
        ctx.pipeline().remove(this);
        if (buf.isReadable()) {
            ctx.fireChannelRead(buf);
        } else {
            buf.release();
        }
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf buf) {
        buf.release();
        refused = true;
        settings.rejected(400);
        ctx.writeAndFlush(Http1RequestGuard.badRequest(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
    }
}
