package dev.junction.spi.route;

import dev.junction.spi.Experimental;
import io.vertx.core.Future;

/**
 * A route action for {@linkplain TrafficShape#MESSAGE message} traffic, called once per flow on the listener's
 * event loop; must not block.
 *
 * <pre>{@code
 * MessageAction echo = flow -> {
 *     flow.handler(flow::send);
 *     return flow.scope().whenDone().otherwiseEmpty();
 * };
 * }</pre>
 */
@Experimental
@FunctionalInterface
public interface MessageAction extends RouteAction {

    /**
     * Handles one flow until it is done; the returned future completes when the action released what it holds for
     * the flow. The flow's first datagram is delivered to the handler the action sets.
     */
    Future<Void> handle(MessageFlow flow);

    @Override
    default TrafficShape shape() {
        return TrafficShape.MESSAGE;
    }

    @Override
    default String describe() {
        return getClass().getSimpleName();
    }
}
