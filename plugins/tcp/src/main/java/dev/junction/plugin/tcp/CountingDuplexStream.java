package dev.junction.plugin.tcp;

import dev.junction.spi.stream.DuplexStream;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * Counts the bytes written to and read from a stream. Used around the upstream side of a splice so byte counts
 * survive a splice that fails (its {@code SpliceResult} exists only on success). Counters are touched on the
 * stream's event loop only.
 */
final class CountingDuplexStream extends ForwardingDuplexStream {

    private long written;
    private long read;

    CountingDuplexStream(DuplexStream delegate) {
        super(delegate);
    }

    long written() {
        return written;
    }

    long read() {
        return read;
    }

    @Override
    public Future<Void> write(Buffer data) {
        written += data.length();
        return delegate.write(data);
    }

    @Override
    public DuplexStream handler(Handler<Buffer> handler) {
        delegate.handler(handler == null ? null : data -> {
            read += data.length();
            handler.handle(data);
        });
        return this;
    }
}
