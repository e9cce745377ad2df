package dev.junction.plugin.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection's idle timeout without per-message cost: reads and writes only set a flag, and a check every quarter
 * of the timeout counts the quarters without any; after four it fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT}
 * (the first time {@link IdleStateEvent#FIRST_ALL_IDLE_STATE_EVENT}), as Netty's {@link IdleStateHandler} does for
 * an all-idle time, to which Vert.x answers by closing the connection. So the event comes between the timeout and a
 * quarter more after the last read or write; {@code IdleStateHandler} is exact, but reads the clock at every read
 * batch and adds a listener, with a promise of its own, to every write. A write counts when it is made, not when
 * the socket took it.
 *
 * <p>Confined to the connection's event loop.
 */
final class IdleTimeout extends ChannelDuplexHandler {

    private static final int QUARTERS = 4;

    private final long checkNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;
    private boolean active;
    private int quietChecks;
    private boolean fired;

    private IdleTimeout(long timeoutNanos) {
        this.checkNanos = Math.max(1, timeoutNanos / QUARTERS);
    }

    /**
     * Returns the handler to put in place of Vert.x's {@code idle}: this one for an all-idle timeout alone, else an
     * {@code IdleStateHandler} with the same times.
     */
    static ChannelHandler replacing(IdleStateHandler idle) {
        if (idle.getReaderIdleTimeInMillis() == 0 && idle.getWriterIdleTimeInMillis() == 0
                && idle.getAllIdleTimeInMillis() > 0) {
            return new IdleTimeout(TimeUnit.MILLISECONDS.toNanos(idle.getAllIdleTimeInMillis()));
        }
        return new IdleStateHandler(idle.getReaderIdleTimeInMillis(), idle.getWriterIdleTimeInMillis(),
                idle.getAllIdleTimeInMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        active = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        active = true;
        ctx.write(msg, promise);
    }

    private void start() {
        if (check == null) {
            check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void check() {
        if (!ctx.channel().isOpen()) {
            check = null;
            return;
        }
        if (active) {
            active = false;
            quietChecks = 0;
        } else if (++quietChecks >= QUARTERS) {
            quietChecks = 0;
            IdleStateEvent event = fired ? IdleStateEvent.ALL_IDLE_STATE_EVENT
                    : IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT;
            fired = true;
            ctx.fireUserEventTriggered(event);
        }
        check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
    }
}
