package dev.junction.plugin.tcp;

import dev.junction.spi.stream.DuplexStream;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

/** A {@link DuplexStream} that forwards every call to another; subclasses override what they observe. */
class ForwardingDuplexStream implements DuplexStream {

    protected final DuplexStream delegate;

    ForwardingDuplexStream(DuplexStream delegate) {
        this.delegate = delegate;
    }

    @Override
    public SocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public Future<Void> write(Buffer data) {
        return delegate.write(data);
    }

    @Override
    public Future<Void> end() {
        return delegate.end();
    }

    @Override
    public Future<Void> close() {
        return delegate.close();
    }

    @Override
    public DuplexStream closeHandler(Handler<Void> handler) {
        delegate.closeHandler(handler);
        return this;
    }

    @Override
    public DuplexStream exceptionHandler(Handler<Throwable> handler) {
        delegate.exceptionHandler(handler);
        return this;
    }

    @Override
    public DuplexStream handler(Handler<Buffer> handler) {
        delegate.handler(handler);
        return this;
    }

    @Override
    public DuplexStream pause() {
        delegate.pause();
        return this;
    }

    @Override
    public DuplexStream resume() {
        delegate.resume();
        return this;
    }

    @Override
    public DuplexStream fetch(long amount) {
        delegate.fetch(amount);
        return this;
    }

    @Override
    public DuplexStream endHandler(Handler<Void> handler) {
        delegate.endHandler(handler);
        return this;
    }

    @Override
    public DuplexStream setWriteQueueMaxSize(int maxSize) {
        delegate.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return delegate.writeQueueFull();
    }

    @Override
    public DuplexStream drainHandler(Handler<Void> handler) {
        delegate.drainHandler(handler);
        return this;
    }
}
