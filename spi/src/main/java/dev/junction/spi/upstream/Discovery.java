package dev.junction.spi.upstream;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running source of endpoints for one upstream, such as DNS A/AAAA/SRV records re-resolved as their TTLs expire.
 */
public interface Discovery {

    /**
     * Starts discovery; {@code updates} receives the full current endpoint list each time it changes, on the
     * upstream's event loop. The returned future completes after the first list was delivered, or fails.
     */
    Future<Void> start(Consumer<List<Endpoint>> updates);

    /** Stops discovery. Safe to call after a failed start. */
    Future<Void> stop();
}
