package dev.junction.spi.upstream;

/**
 * An endpoint chosen for one connection or request, holding a slot of the upstream's limits until released.
 * Release exactly once; the outcome feeds passive health checking (consecutive failures eject an endpoint).
 */
public interface EndpointLease {

    /** Returns the chosen endpoint. */
    Endpoint endpoint();

    /** Releases the lease after the endpoint served the traffic. */
    void success();

    /**
     * Releases the lease after the endpoint failed (refused, reset, timed out, answered with a server error).
     * Failures caused by the downstream must be released with {@link #success()}.
     */
    void failure(Throwable cause);
}
