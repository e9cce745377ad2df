package dev.junction.spi.listener;

import dev.junction.spi.route.Route;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A bound address serving one protocol. The host keeps a listener (its socket and its open connections) across
 * reloads as long as its definition is unchanged, and only swaps its routes.
 *
 * <pre>{@code
 * Listener listener = factory.create(context);   // validates, binds nothing
 * listener.routes(routes);                       // compiles matches, may throw ConfigException
 * listener.start().onSuccess(v -> log("listening on " + listener.boundAddress()));
 * ...
 * listener.routes(newRoutes);                    // reload: new connections use the new routes
 * listener.stop(Duration.ofSeconds(10));         // stop accepting, drain, close
 * }</pre>
 */
public interface Listener {

    /**
     * Compiles and installs routes; connections accepted afterwards use them, connections already routed keep
     * theirs. Called before {@link #start()} and on every reload. Atomic: on failure the old routes stay.
     *
     * @throws dev.junction.spi.config.ConfigException if a route's match is invalid or the action's shape does
     *     not fit this listener
     */
    void routes(List<Route> routes);

    /** Binds and starts accepting. */
    Future<Void> start();

    /**
     * Stops accepting at once, lets open connections finish for at most {@code drainTimeout}, then closes the rest.
     * Safe to call after a failed or no start.
     */
    Future<Void> stop(Duration drainTimeout);

    /** Returns the number of open connections (or in-flight requests for exchange listeners). */
    long activeConnections();

    /** Returns the bound address once started (useful when the configured port is 0). */
    Optional<SocketAddress> boundAddress();
}
