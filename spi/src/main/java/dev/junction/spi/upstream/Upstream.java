package dev.junction.spi.upstream;

import io.vertx.core.Future;
import java.util.List;

/**
 * A named set of endpoints owned by the core and shared by every protocol: discovery, load balancing, active and
 * passive health, and limits on connections and pending requests.
 *
 * <pre>{@code
 * upstream.acquire(Selection.ANY)
 *     .compose(lease -> connector.connect(lease.endpoint(), connectTimeout)
 *         .onSuccess(stream -> stream.closeHandler(v -> lease.success()))
 *         .onFailure(lease::failure));
 * }</pre>
 */
public interface Upstream {

    /** Returns the upstream's name. */
    String name();

    /** Returns the protocol of its connector, such as {@code tcp}. */
    String protocol();

    /** Returns the connector that opens connections to its endpoints. */
    Connector connector();

    /**
     * Chooses an available endpoint with the configured load balancer and takes a slot of the upstream's limits.
     * When every slot is taken the request waits, up to the pending limit and timeout. Fails with a
     * {@link dev.junction.spi.GatewayException} when no endpoint is available or the limits are full.
     */
    Future<EndpointLease> acquire(Selection selection);

    /** Returns a snapshot of the endpoints and their health. */
    List<EndpointStatus> endpoints();
}
