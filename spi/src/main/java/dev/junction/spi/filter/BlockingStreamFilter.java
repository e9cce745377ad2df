package dev.junction.spi.filter;

import dev.junction.spi.route.StreamSession;
import dev.junction.spi.route.TrafficShape;

/**
 * The blocking-style twin of {@link StreamFilter}: its hooks are always called on a virtual thread, so they may do
 * blocking I/O or call {@code Future.await()}. Created by a {@link FilterFactory} whose
 * {@link FilterFactory#style()} is {@link dev.junction.spi.ExecutionStyle#BLOCKING}; the host refuses the pairing of
 * a blocking filter with an asynchronous factory (and the reverse) when the plugin is registered.
 */
public interface BlockingStreamFilter extends Filter {

    /** Runs when a connection was accepted and matched this route, before the action starts. */
    default FilterDecision onConnection(StreamSession session) {
        return FilterDecision.proceed();
    }

    @Override
    default TrafficShape shape() {
        return TrafficShape.STREAM;
    }
}
