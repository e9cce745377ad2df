package dev.junction.spi.stream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * The <em>stream</em> traffic shape: duplex bytes with half-close, such as a TCP connection, a TLS session or a
 * WebSocket carrying binary frames. Any listener that produces a stream can be bridged to any connector that opens
 * one.
 *
 * <p>Half-close: the {@linkplain #endHandler(Handler) end handler} fires when the peer has finished sending (a TCP
 * FIN, a WebSocket close frame), while this side may still write. {@link #end()} flushes what was written and then
 * finishes this side's sending, keeping the read side open. {@link #close()} ends both directions at once. So two
 * pipes proxy a connection faithfully, including protocols where the client half-closes and then waits for the
 * answer:
 * <pre>{@code
 * Future<Void> up = downstream.pipeTo(upstream);      // client FIN becomes upstream FIN
 * Future<Void> down = upstream.pipeTo(downstream);    // and the answer still flows back
 * Future.join(up, down).onComplete(done -> { downstream.close(); upstream.close(); });
 * }</pre>
 *
 * <p>Buffer ownership: a {@link Buffer} passed to the data handler belongs to the receiver, who may keep or write it
 * elsewhere; a buffer passed to {@link #write(Object)} must not be changed by the caller afterwards.
 */
public interface DuplexStream extends ReadStream<Buffer>, WriteStream<Buffer> {

    /** Returns the peer's address. */
    SocketAddress remoteAddress();

    /** Returns this side's address. */
    SocketAddress localAddress();

    /**
     * Flushes pending writes, then finishes this side's sending (half-close); the read side stays open.
     * The future completes when the half-close was sent.
     */
    @Override
    Future<Void> end();

    /** Closes both directions now, discarding unsent bytes. Idempotent. */
    Future<Void> close();

    /**
     * Returns a future completed once the stream is closed in both directions; any number of observers may wait
     * on it.
     */
    Future<Void> whenClosed();

    /**
     * Adds a handler called once when the stream is closed in both directions; handlers added earlier stay.
     * The same as {@code whenClosed().onComplete(v -> handler.handle(null))}.
     */
    default DuplexStream closeHandler(Handler<Void> handler) {
        whenClosed().onComplete(v -> handler.handle(null));
        return this;
    }

    @Override
    DuplexStream exceptionHandler(Handler<Throwable> handler);

    /**
     * Sets the handler of incoming bytes. Buffer ownership: each buffer handed to {@code handler} belongs to it from
     * then on; the stream keeps no reference and never reuses it.
     */
    @Override
    DuplexStream handler(Handler<Buffer> handler);

    /**
     * Writes bytes. Buffer ownership: the stream may keep {@code data} until it is written, so the caller must not
     * change it afterwards. The future completes when the bytes were handed to the transport.
     */
    @Override
    Future<Void> write(Buffer data);

    @Override
    DuplexStream pause();

    @Override
    DuplexStream resume();

    @Override
    DuplexStream fetch(long amount);

    @Override
    DuplexStream endHandler(Handler<Void> endHandler);

    @Override
    DuplexStream setWriteQueueMaxSize(int maxSize);

    @Override
    DuplexStream drainHandler(Handler<Void> handler);
}
