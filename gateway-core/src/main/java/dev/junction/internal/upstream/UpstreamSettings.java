package dev.junction.internal.upstream;

import java.time.Duration;

/**
 * The validated, protocol-independent settings of one upstream.
 *
 * @param loadBalancer the balancing policy
 * @param healthInterval active check interval, or zero when active checks are off
 * @param healthTimeout how long one probe may take
 * @param healthyThreshold consecutive probe successes that mark an endpoint healthy
 * @param unhealthyThreshold consecutive probe failures that mark it unhealthy
 * @param consecutiveFailures passive failures in a row that eject an endpoint; zero turns passive checks off
 * @param ejectionTime how long an ejected endpoint gets no new traffic
 * @param maxConnections leases held at once
 * @param maxPending callers waiting for a lease
 * @param pendingTimeout how long a caller waits
 */
public record UpstreamSettings(
        LoadBalancing loadBalancer,
        Duration healthInterval,
        Duration healthTimeout,
        int healthyThreshold,
        int unhealthyThreshold,
        int consecutiveFailures,
        Duration ejectionTime,
        int maxConnections,
        int maxPending,
        Duration pendingTimeout) {

    /** The load-balancing policies, written in kebab case in configuration. */
    public enum LoadBalancing {
        ROUND_ROBIN, LEAST_REQUEST, RANDOM, CONSISTENT_HASH
    }
}
