package dev.junction.plugin.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A read stream that emits the same chunk {@code count} times, honouring pause and fetch. */
final class RepeatingStream implements ReadStream<Buffer> {

    private final Vertx vertx;
    private final Buffer chunk;
    private long left;
    private long demand = Long.MAX_VALUE;
    private boolean scheduled;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;

    RepeatingStream(Vertx vertx, Buffer chunk, long count) {
        this.vertx = vertx;
        this.chunk = chunk;
        this.left = count;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        schedule();
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        demand = 0;
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
        schedule();
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }

    private void schedule() {
        if (!scheduled && handler != null) {
            scheduled = true;
            vertx.runOnContext(v -> emit());
        }
    }

    private void emit() {
        scheduled = false;
        int batch = 16;
        while (demand > 0 && left > 0 && batch-- > 0) {
            left--;
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            handler.handle(chunk.copy());
        }
        if (left == 0) {
            Handler<Void> end = endHandler;
            endHandler = null;
            if (end != null) {
                end.handle(null);
            }
        } else if (demand > 0) {
            schedule();
        }
    }
}
