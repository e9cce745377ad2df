package dev.junction.internal.gateway;

import dev.junction.spi.route.StreamAction;
import dev.junction.spi.route.StreamSession;
import io.vertx.core.Future;

/**
 * Wraps a plugin's stream action: marks the thread for the watchdog while the action runs, and moves blocking-style
 * actions onto a virtual thread.
 */
final class TrackedStreamAction implements StreamAction {

    private final StreamAction delegate;
    private final String name;
    private final String mark;
    private final boolean blocking;

    TrackedStreamAction(StreamAction delegate, String name, String mark, boolean blocking) {
        this.delegate = delegate;
        this.name = name;
        this.mark = mark;
        this.blocking = blocking;
    }

    @Override
    public Future<Void> handle(StreamSession session) {
        if (blocking) {
            return session.scope().runBlocking(() -> delegate.handle(session).await());
        }
        String previous = ExecutionMarks.enter(mark);
        try {
            return delegate.handle(session);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        } finally {
            ExecutionMarks.exit(previous);
        }
    }

    /** Returns the plugin's description, or the action's configured name where the plugin gives none. */
    @Override
    public String describe() {
        String described = delegate.describe();
        return described.equals(delegate.getClass().getSimpleName()) ? name : described;
    }
}
