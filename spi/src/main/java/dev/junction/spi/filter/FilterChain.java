package dev.junction.spi.filter;

import dev.junction.spi.route.StreamSession;
import io.vertx.core.Future;
import java.util.List;

/**
 * A route's filters in effective order, built by the host from configuration after checking every
 * {@link FilterFactory#before()} and {@link FilterFactory#after()} constraint. Listeners run a phase by calling
 * the matching method; blocking filters are dispatched to virtual threads by the chain.
 */
public interface FilterChain {

    /** Returns the filter names in the order they run, as printed in the effective configuration. */
    List<String> names();

    /** Runs the connection phase of each stream filter in order; stops at the first filter that stops. */
    Future<FilterDecision> onConnection(StreamSession session);
}
