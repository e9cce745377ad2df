package dev.junction.spi.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Objects;

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
     * @return a future completed with the byte counts when both directions are done; it fails with the first
     *     failure of either pipe, after both streams were closed
     */
    public static Future<SpliceResult> splice(DuplexStream a, DuplexStream b) {
        CountingStream aToB = new CountingStream(b);
        CountingStream bToA = new CountingStream(a);
        Future<Void> forward = a.pipeTo(aToB);
        Future<Void> backward = b.pipeTo(bToA);
        forward.onFailure(failure -> closeBoth(a, b));
        backward.onFailure(failure -> closeBoth(a, b));
        return Future.join(forward, backward)
                .transform(done -> {
                    closeBoth(a, b);
                    if (done.failed()) {
                        return Future.failedFuture(forward.failed() ? forward.cause() : backward.cause());
                    }
                    return Future.succeededFuture(new SpliceResult(aToB.bytes, bToA.bytes));
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
     */
    public record SpliceResult(long bytesAToB, long bytesBToA) {
    }

    /** A write stream that counts what passes through to its delegate. */
    private static final class CountingStream implements io.vertx.core.streams.WriteStream<Buffer> {
        private final DuplexStream delegate;
        long bytes;

        CountingStream(DuplexStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public CountingStream exceptionHandler(Handler<Throwable> handler) {
            delegate.exceptionHandler(handler);
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            bytes += data.length();
            return delegate.write(data);
        }

        @Override
        public Future<Void> end() {
            return delegate.end();
        }

        @Override
        public CountingStream setWriteQueueMaxSize(int maxSize) {
            delegate.setWriteQueueMaxSize(maxSize);
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return delegate.writeQueueFull();
        }

        @Override
        public CountingStream drainHandler(Handler<Void> handler) {
            delegate.drainHandler(handler);
            return this;
        }
    }

    /**
     * Half-close on a Vert.x socket. Vert.x closes a socket on FIN; with Netty's {@code ALLOW_HALF_CLOSURE} the FIN
     * arrives as a {@link ChannelInputShutdownEvent} instead, but outside the socket's ordered inbound queue. To
     * keep "end" behind the last byte, the event is turned into the queue's own end marker.
     */
    private static final class NetSocketDuplexStream implements DuplexStream {
        private static final InboundQueueAccess QUEUE = InboundQueueAccess.create();

        private final NetSocket socket;
        private final Channel channel;
        private final boolean halfClose;
        private Handler<Void> endHandler;
        private boolean ended;
        private boolean outputShutdown;

        NetSocketDuplexStream(NetSocket socket) {
            this.socket = socket;
            NetSocketInternal internal = socket instanceof NetSocketInternal i ? i : null;
            this.channel = internal == null ? null : internal.channelHandlerContext().channel();
            this.halfClose = internal != null && QUEUE != null && channel instanceof DuplexChannel && !socket.isSsl()
                    && enableHalfClosure(channel);
            if (halfClose) {
                internal.eventHandler(event -> {
                    if (event instanceof ChannelInputShutdownEvent) {
                        QUEUE.endInput(socket);
                    }
                });
            }
            socket.endHandler(v -> fireEnd());
        }

        private static boolean enableHalfClosure(Channel channel) {
            return channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
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
            // The empty write completes once everything written before it was flushed.
            return socket.write(Buffer.buffer()).compose(v -> {
                DuplexChannel duplex = (DuplexChannel) channel;
                if (duplex.isInputShutdown()) {
                    return socket.close();
                }
                io.vertx.core.Promise<Void> promise = io.vertx.core.Promise.promise();
                duplex.shutdownOutput().addListener(f -> {
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
        public DuplexStream closeHandler(Handler<Void> handler) {
            socket.closeHandler(handler);
            return this;
        }

        @Override
        public DuplexStream exceptionHandler(Handler<Throwable> handler) {
            socket.exceptionHandler(handler);
            return this;
        }

        @Override
        public DuplexStream handler(Handler<Buffer> handler) {
            socket.handler(handler);
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

        @Override
        public DuplexStream fetch(long amount) {
            socket.fetch(amount);
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

    /** Writes the end marker into a Vert.x socket's inbound queue, behind any bytes still queued. */
    private record InboundQueueAccess(Field pending, Method write, Object endSentinel) {

        static InboundQueueAccess create() {
            try {
                Class<?> socketClass = Class.forName("io.vertx.core.net.impl.NetSocketImpl");
                Field pending = socketClass.getDeclaredField("pending");
                pending.setAccessible(true);
                Method write = pending.getType().getMethod("write", Object.class);
                Field sentinel = Class.forName("io.vertx.core.streams.impl.InboundBuffer").getField("END_SENTINEL");
                return new InboundQueueAccess(pending, write, sentinel.get(null));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // an unknown Vert.x layout: sockets close on FIN instead of half-closing
            }
        }

        void endInput(NetSocket socket) {
            try {
                write.invoke(pending.get(socket), endSentinel);
            } catch (ReflectiveOperationException e) {
                socket.close();
            }
        }
    }
}
