package dev.junction.spi.upstream;

/**
 * A snapshot of one endpoint's health and load, as shown by the admin API.
 *
 * @param endpoint the endpoint
 * @param healthy whether it passes active checks (true when checks are off)
 * @param ejected whether passive health checking ejected it for now
 * @param active leases currently held
 * @param consecutiveFailures failures since the last success
 */
public record EndpointStatus(Endpoint endpoint, boolean healthy, boolean ejected, int active, int consecutiveFailures) {

    /** Returns whether new traffic may be sent to the endpoint. */
    public boolean available() {
        return healthy && !ejected;
    }
}
