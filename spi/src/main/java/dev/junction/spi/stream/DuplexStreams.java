package dev.junction.spi.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Adapts Vert.x sockets to {@link DuplexStream}, and joins two streams into a proxied connection.
 *
 * <pre>{@code
 * DuplexStream client = DuplexStreams.of(netSocket);
 * DuplexStreams.splice(client, upstream).onComplete(done -> log(done.result()));
 * }</pre>
 */
public final class DuplexStreams {

    private DuplexStreams() {
    }

    /**
     * Wraps a {@link NetSocket} so that a peer's FIN ends only its read side (half-close). Call this before the first
     * byte is read, on the socket's context. Sockets whose transport cannot half-close fall back to full close.
     */
    public static DuplexStream of(NetSocket socket) {
        return new NetSocketDuplexStream(Objects.requireNonNull(socket, "socket"));
    }

    /**
     * Pipes {@code a} to {@code b} and {@code b} to {@code a} with backpressure in both directions, forwarding each
     * half-close, and closes both streams once both directions have ended or either failed.
     *
     * <p>Two open sockets adapted by {@link #of(NetSocket)} and served by the calling event loop are spliced without
     * copying: the buffers read from one are written to the other. Other streams, and sockets on two loops, are
     * joined with {@link io.vertx.core.streams.ReadStream#pipeTo}.
     *
     * @return a future completed once both directions have ended (both streams are closed then), with the bytes
     *     moved each way and the first failure of either direction, if any; it never fails
     */
    public static Future<SpliceResult> splice(DuplexStream a, DuplexStream b) {
        Direction forward;
        Direction backward;
        if (a instanceof NetSocketDuplexStream x && b instanceof NetSocketDuplexStream y && x.halfClose && y.halfClose
                && x.channel.eventLoop() == y.channel.eventLoop() && x.channel.eventLoop().inEventLoop()
                && x.channel.isActive() && y.channel.isActive()) {
            forward = new ChannelDirection(x, y);
            backward = new ChannelDirection(y, x);
        } else {
            forward = new PipedDirection(a, b);
            backward = new PipedDirection(b, a);
        }
        Future<Void> forwardDone = forward.start();
        Future<Void> backwardDone = backward.start();
        forwardDone.onFailure(failure -> closeBoth(a, b));
        backwardDone.onFailure(failure -> closeBoth(a, b));
        return Future.join(forwardDone, backwardDone).transform(done -> {
            closeBoth(a, b);
            Throwable failure = forwardDone.failed() ? forwardDone.cause()
                    : backwardDone.failed() ? backwardDone.cause() : null;
            return Future.succeededFuture(new SpliceResult(forward.bytes(), backward.bytes(), Optional.ofNullable(failure)));
        });
    }

    private static void closeBoth(DuplexStream a, DuplexStream b) {
        a.close();
        b.close();
    }

    /**
     * The outcome of {@link #splice(DuplexStream, DuplexStream)}.
     *
     * @param bytesAToB bytes written from the first stream to the second
     * @param bytesBToA bytes written from the second stream to the first
     * @param failure the first failure of either direction (a reset, a failed write), if any
     */
    public record SpliceResult(long bytesAToB, long bytesBToA, Optional<Throwable> failure) {
    }

    /** One direction of a splice. */
    private interface Direction {
        Future<Void> start();

        long bytes();
    }

    /** A direction between arbitrary streams: Vert.x's pipe, counting what passes. */
    private static final class PipedDirection implements Direction, io.vertx.core.streams.WriteStream<Buffer> {
        private final DuplexStream source;
        private final DuplexStream destination;
        private long bytes;

        PipedDirection(DuplexStream source, DuplexStream destination) {
            this.source = source;
            this.destination = destination;
        }

        @Override
        public Future<Void> start() {
            return source.pipeTo(this);
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public PipedDirection exceptionHandler(Handler<Throwable> handler) {
            destination.exceptionHandler(handler);
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            bytes += data.length();
            return destination.write(data);
        }

        @Override
        public Future<Void> end() {
            return destination.end();
        }

        @Override
        public PipedDirection setWriteQueueMaxSize(int maxSize) {
            destination.setWriteQueueMaxSize(maxSize);
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return destination.writeQueueFull();
        }

        @Override
        public PipedDirection drainHandler(Handler<Void> handler) {
            destination.drainHandler(handler);
            return this;
        }
    }

    /**
     * A direction between two sockets served by the same event loop, at the Netty level (Netty's
     * {@code HexDumpProxy} model): a handler in the source's pipeline writes each read buffer to the destination
     * channel as it is, flushes once per read batch, and turns the source's auto-read off while the destination is
     * not writable. Nothing of Vert.x runs per read. The end of input still travels Vert.x's path, behind the last
     * bytes, and half-closes the destination.
     */
    private static final class ChannelDirection implements Direction {
        private static final String HANDLER = "junction-splice";
        private final NetSocketDuplexStream source;
        private final NetSocketDuplexStream destination;
        private final Promise<Void> done = Promise.promise();
        private long bytes;

        ChannelDirection(NetSocketDuplexStream source, NetSocketDuplexStream destination) {
            this.source = source;
            this.destination = destination;
        }

        @Override
        public Future<Void> start() {
            Channel from = source.channel;
            Channel to = destination.channel;
            // Both handlers go in front of Vert.x's, which consumes reads and writability changes.
            from.pipeline().addBefore(vertxHandlerName(source), HANDLER, new ForwardingHandler(to));
            to.pipeline().addBefore(vertxHandlerName(destination), HANDLER + "-writability", new WritabilityHandler(from));
            // Bytes Vert.x read and held while the stream was paused, before the handler above existed.
            source.rawHandler = data -> {
                bytes += data.readableBytes();
                to.writeAndFlush(data, to.voidPromise());
            };
            source.endHandler(v -> destination.end().onComplete(done));
            source.socket.exceptionHandler(done::tryFail);
            // A destination closed before this direction ended (a reset, say) fails it.
            destination.whenClosed().onComplete(v -> {
                if (!destination.outputFinished()) {
                    done.tryFail(new VertxException("the other side closed before this direction ended", true));
                }
            });
            source.resumeOnItsLoop();
            return done.future();
        }

        @Override
        public long bytes() {
            return bytes;
        }

        private static String vertxHandlerName(NetSocketDuplexStream stream) {
            return ((NetSocketInternal) stream.socket).channelHandlerContext().name();
        }

        /** In the source's pipeline, before Vert.x: forwards bytes, lets everything else through. */
        private final class ForwardingHandler extends ChannelInboundHandlerAdapter {
            private final Channel to;
            private boolean pendingFlush;

            ForwardingHandler(Channel to) {
                this.to = to;
            }

            @Override
            public void channelRead(ChannelHandlerContext context, Object message) {
                if (message instanceof ByteBuf data) {
                    bytes += data.readableBytes();
                    to.write(data, to.voidPromise()); // the destination's channel releases it once written
                    pendingFlush = true;
                } else {
                    context.fireChannelRead(message);
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext context) {
                if (pendingFlush) {
                    pendingFlush = false;
                    to.flush();
                    if (!to.isWritable()) {
                        context.channel().config().setAutoRead(false);
                    }
                }
                context.fireChannelReadComplete();
            }
        }

        /** In the destination's pipeline: resumes reading the source once the destination drained. */
        private static final class WritabilityHandler extends ChannelInboundHandlerAdapter {
            private final Channel from;

            WritabilityHandler(Channel from) {
                this.from = from;
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext context) {
                if (context.channel().isWritable() && !from.config().isAutoRead()) {
                    from.config().setAutoRead(true);
                }
                context.fireChannelWritabilityChanged();
            }
        }
    }

    /**
     * Half-close on a Vert.x socket. Vert.x closes a socket on FIN; with Netty's {@code ALLOW_HALF_CLOSURE} the FIN
     * arrives as a {@link ChannelInputShutdownEvent} instead, but that event bypasses the reads a paused socket
     * still holds. So the event is turned into a marker message sent through the channel's pipeline, where it
     * queues behind those reads, and the socket's raw messages are consumed here, in order: bytes first, then the
     * end.
     */
    private static final class NetSocketDuplexStream implements DuplexStream {
        /** Netty's defaults for stream channels (up to 16 reads per wake-up, 64 KiB at most) with a 512-byte floor. */
        private static final RecvByteBufAllocator RECEIVE_BUFFERS =
                new AdaptiveRecvByteBufAllocator(512, 2048, 65536)
                        .maxMessagesPerRead(16);

        /** The end-of-input marker; travels the pipeline like a read. */
        private static final Object END_OF_INPUT = new Object() {
            @Override
            public String toString() {
                return "END_OF_INPUT";
            }
        };

        final NetSocket socket;
        final Channel channel;
        final boolean halfClose;
        private final Promise<Void> closed = Promise.promise();
        private Handler<Buffer> dataHandler;
        /** When set (by a splice), read buffers go here uncopied and the receiver owns them. */
        Handler<ByteBuf> rawHandler;
        private Handler<Void> endHandler;
        private boolean ended;
        private boolean outputShutdown;

        NetSocketDuplexStream(NetSocket socket) {
            this.socket = socket;
            NetSocketInternal internal = socket instanceof NetSocketInternal i ? i : null;
            this.channel = internal == null ? null : internal.channelHandlerContext().channel();
            this.halfClose = internal != null && channel instanceof DuplexChannel && !socket.isSsl()
                    && channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            if (halfClose) {
                // Netty reads again whenever a read filled its buffer exactly. Its adaptive guess shrinks to the
                // 64-byte minimum under small messages, so 64-byte messages cost an extra, empty read each; a
                // 512-byte floor keeps small messages below the guess.
                channel.config().setRecvByteBufAllocator(RECEIVE_BUFFERS);
                // Raw messages, with pause and resume acting on the connection itself (auto-read and its queue).
                internal.messageHandler(this::handleMessage);
                internal.eventHandler(event -> {
                    if (event instanceof ChannelInputShutdownEvent) {
                        // A read batch of its own: Vert.x only drains reads held while paused when a batch ends.
                        channel.pipeline().fireChannelRead(END_OF_INPUT).fireChannelReadComplete();
                    }
                });
            }
            // A close without FIN (reset, idle timeout, our own close) also ends the read side.
            socket.endHandler(v -> fireEnd());
            socket.closeHandler(v -> closed.tryComplete());
        }

        private void handleMessage(Object message) {
            if (message == END_OF_INPUT) {
                fireEnd();
            } else if (message instanceof ByteBuf bytes) {
                Handler<ByteBuf> raw = rawHandler;
                if (raw != null) {
                    raw.handle(bytes);
                    return;
                }
                // Copies to an unpooled buffer and releases the pooled one, as Vert.x's own handler does.
                Buffer data = BufferInternal.safeBuffer(bytes);
                Handler<Buffer> handler = dataHandler;
                if (handler != null) {
                    handler.handle(data);
                }
            } else {
                ReferenceCountUtil.release(message);
            }
        }

        private void fireEnd() {
            if (ended) {
                return;
            }
            ended = true;
            Handler<Void> handler = endHandler;
            if (handler != null) {
                handler.handle(null);
            }
        }

        @Override
        public SocketAddress remoteAddress() {
            return socket.remoteAddress();
        }

        @Override
        public SocketAddress localAddress() {
            return socket.localAddress();
        }

        @Override
        public Future<Void> write(Buffer data) {
            return socket.write(data);
        }

        @Override
        public Future<Void> end() {
            if (!halfClose) {
                return socket.end();
            }
            if (outputShutdown) {
                return Future.succeededFuture();
            }
            outputShutdown = true;
            // The empty write completes once everything written before it was flushed to the socket. The socket
            // stays open even when its input has ended too: the reader may not have consumed all of it yet.
            return socket.write(Buffer.buffer()).compose(v -> {
                Promise<Void> promise = Promise.promise();
                ((DuplexChannel) channel).shutdownOutput().addListener(f -> {
                    if (f.isSuccess()) {
                        promise.complete();
                    } else {
                        promise.fail(f.cause());
                    }
                });
                return promise.future();
            });
        }

        @Override
        public Future<Void> close() {
            return socket.close();
        }

        @Override
        public Future<Void> whenClosed() {
            return closed.future();
        }

        /** Returns whether {@link #end()} was called, so that a close after it is the expected end. */
        boolean outputFinished() {
            return outputShutdown;
        }

        /** Resumes reading from the socket's own event loop, wherever the caller runs. */
        void resumeOnItsLoop() {
            var executor = ((NetSocketInternal) socket).channelHandlerContext().executor();
            if (executor.inEventLoop()) {
                resume();
            } else {
                executor.execute(this::resume);
            }
        }

        @Override
        public DuplexStream exceptionHandler(Handler<Throwable> handler) {
            socket.exceptionHandler(handler);
            return this;
        }

        @Override
        public DuplexStream handler(Handler<Buffer> handler) {
            if (halfClose) {
                this.dataHandler = handler;
            } else {
                socket.handler(handler);
            }
            return this;
        }

        @Override
        public DuplexStream pause() {
            socket.pause();
            return this;
        }

        @Override
        public DuplexStream resume() {
            socket.resume();
            return this;
        }

        /** Demand is all or nothing at the connection level: any positive amount resumes reading. */
        @Override
        public DuplexStream fetch(long amount) {
            if (halfClose) {
                if (amount > 0) {
                    socket.resume();
                }
            } else {
                socket.fetch(amount);
            }
            return this;
        }

        @Override
        public DuplexStream endHandler(Handler<Void> handler) {
            this.endHandler = handler;
            return this;
        }

        @Override
        public DuplexStream setWriteQueueMaxSize(int maxSize) {
            socket.setWriteQueueMaxSize(maxSize);
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return socket.writeQueueFull();
        }

        @Override
        public DuplexStream drainHandler(Handler<Void> handler) {
            socket.drainHandler(handler);
            return this;
        }
    }
}
