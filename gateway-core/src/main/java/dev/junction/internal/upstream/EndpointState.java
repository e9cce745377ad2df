package dev.junction.internal.upstream;

import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.EndpointStatus;
import java.util.concurrent.atomic.AtomicInteger;

/** The mutable health and load of one endpoint, shared by every event loop. */
final class EndpointState {

    final Endpoint endpoint;
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    volatile boolean healthy = true;
    volatile long ejectedUntilNanos;
    // Probe streaks are only touched by the health-check timer's context.
    int probeSuccesses;
    int probeFailures;

    EndpointState(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    boolean ejected(long now) {
        long until = ejectedUntilNanos;
        return until != 0 && now - until < 0;
    }

    /** Whether the endpoint may be chosen now; reads the clock only while it is ejected. */
    boolean available() {
        return healthy && (ejectedUntilNanos == 0 || !ejected(System.nanoTime()));
    }

    EndpointStatus status() {
        return new EndpointStatus(endpoint, healthy, ejected(System.nanoTime()), active.get(), consecutiveFailures.get());
    }
}
