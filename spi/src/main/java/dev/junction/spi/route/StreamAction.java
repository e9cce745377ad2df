package dev.junction.spi.route;

import io.vertx.core.Future;

/**
 * A route action for {@linkplain TrafficShape#STREAM stream} traffic. Called on the event loop of the downstream
 * connection; must not block.
 *
 * <pre>{@code
 * StreamAction echo = session -> session.downstream().pipeTo(session.downstream());
 * }</pre>
 */
@FunctionalInterface
public interface StreamAction extends RouteAction {

    /**
     * Handles one downstream stream until it is done. The stream is paused when this is called; the action owns it
     * and must close it (or hand it on) before the returned future completes.
     */
    Future<Void> handle(StreamSession session);

    @Override
    default TrafficShape shape() {
        return TrafficShape.STREAM;
    }

    @Override
    default String describe() {
        return getClass().getSimpleName();
    }
}
