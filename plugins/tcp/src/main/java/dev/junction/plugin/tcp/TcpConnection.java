package dev.junction.plugin.tcp;

import dev.junction.spi.net.IpMatcher;

import dev.junction.plugin.tcp.ListenerMetrics.Rejection;
import dev.junction.plugin.tcp.TcpListener.CompiledRoute;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.task.TaskScope;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * One accepted connection and the {@link StreamSession} its route sees. Everything but {@link #scope()} runs on the
 * connection's event loop.
 */
final class TcpConnection implements StreamSession {

    private final TcpListener listener;
    private final DuplexStream downstream;
    private final long openedNanos = System.nanoTime();
    private TaskScope scope;
    private String routeName = "";
    private boolean closed;

    TcpConnection(TcpListener listener, DuplexStream stream) {
        this.listener = listener;
        this.downstream = stream;
        stream.whenClosed().onComplete(v -> onSocketClosed());
    }

    void open() {
        scope = listener.plugin().tasks().open(listener.name() + " connection", Duration.ZERO);
        scope.onCancel(downstream::close); // drained listener, cancelled parent: the socket goes
        CompiledRoute route = listener.select(IpMatcher.addressBytes(downstream.remoteAddress()));
        if (route == null) {
            listener.rejected(Rejection.NO_ROUTE);
            listener.logRejection(this, "no route matches");
            downstream.close();
            return;
        }
        routeName = route.name();
        Context context = Vertx.currentContext();
        Future<FilterDecision> decision;
        try {
            decision = route.filters().onConnection(this);
        } catch (RuntimeException e) {
            decision = Future.failedFuture(e);
        }
        decision.onComplete(result -> {
            // Blocking filters may complete elsewhere; the action must start on this connection's event loop.
            if (Vertx.currentContext() == context) {
                afterFilters(route, result);
            } else {
                context.runOnContext(v -> afterFilters(route, result));
            }
        });
    }

    private void afterFilters(CompiledRoute route, AsyncResult<FilterDecision> result) {
        if (closed) {
            return; // the client left while the filters ran
        }
        if (result.failed()) {
            listener.logFailure(this, result.cause());
            downstream.close();
            return;
        }
        if (!result.result().proceeds()) {
            listener.rejected(Rejection.FILTER);
            listener.logRejection(this, result.result().reason());
            downstream.close();
            return;
        }
        Future<Void> done;
        try {
            done = route.action().handle(this);
        } catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        done.onComplete(outcome -> {
            if (outcome.failed()) {
                listener.logFailure(this, outcome.cause());
            }
            downstream.close(); // the action should have; a leaked socket would outlive its scope
        });
    }

    private void onSocketClosed() {
        if (closed) {
            return;
        }
        closed = true;
        listener.closed(this, System.nanoTime() - openedNanos);
        if (scope != null) {
            scope.close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String listenerName() {
        return listener.name();
    }

    @Override
    public String routeName() {
        return routeName;
    }

    @Override
    public DuplexStream downstream() {
        return downstream;
    }

    @Override
    public TaskScope scope() {
        return scope;
    }

    @Override
    public void recordBytes(long fromClient, long toClient) {
        ListenerMetrics metrics = listener.metrics();
        metrics.bytesReceived.increment(fromClient);
        metrics.bytesSent.increment(toClient);
    }
}
