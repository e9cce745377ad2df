package dev.junction.internal.upstream;

import dev.junction.spi.GatewayException;
import dev.junction.spi.GatewayException.Source;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.Discovery;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.EndpointLease;
import dev.junction.spi.upstream.EndpointStatus;
import dev.junction.spi.upstream.Selection;
import dev.junction.spi.upstream.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An upstream owned by the core: endpoints (static or discovered), load balancing, active health checks through the
 * connector's probe, passive ejection after consecutive failures, and limits on leases and waiters.
 *
 * <p>Construction has no side effects; {@link #start()} starts discovery and health checks.
 */
public final class DefaultUpstream implements Upstream {

    private static final System.Logger LOG = System.getLogger("junction.upstream");
    private static final Predicate<EndpointState> ANY_STATE = state -> true;
    private static final Predicate<EndpointState> AVAILABLE = EndpointState::available;

    private final String name;
    private final String protocol;
    private final Connector connector;
    private final UpstreamSettings settings;
    private final Optional<Discovery> discovery;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private volatile LoadBalancer balancer;
    private final Object limitLock = new Object();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int leased;
    private long healthTimer = -1;
    private Context context;
    private Counter ejections;
    private Counter rejected;

    /**
     * Creates an upstream.
     *
     * @param endpoints the static endpoints, empty when {@code discovery} is present
     */
    public DefaultUpstream(String name, String protocol, Connector connector, UpstreamSettings settings,
            List<Endpoint> endpoints, Optional<Discovery> discovery, Vertx vertx, MeterRegistry registry) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.balancer = LoadBalancer.create(settings.loadBalancer(),
                endpoints.stream().map(EndpointState::new).toList());
    }

    /** Starts discovery (waiting for its first list) and active health checks. */
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        Tags tags = Tags.of("upstream", name);
        ejections = Counter.builder("junction.upstream.ejections").tags(tags)
                .description("Endpoints ejected by passive health checking").register(registry);
        rejected = Counter.builder("junction.upstream.rejected").tags(tags)
                .description("Acquisitions refused: no endpoint available or limits full").register(registry);
        // Counters are shared with a predecessor of the same name, so they keep counting across reloads; gauges
        // read this instance, so they replace the predecessor's.
        gauge(Gauge.builder("junction.upstream.endpoints.available", this,
                u -> u.endpoints().stream().filter(EndpointStatus::available).count()).tags(tags)
                .description("Endpoints that may receive new traffic"), "junction.upstream.endpoints.available", tags);
        gauge(Gauge.builder("junction.upstream.endpoints", this, u -> u.balancer.endpoints.length).tags(tags)
                .description("Endpoints known"), "junction.upstream.endpoints", tags);
        gauge(Gauge.builder("junction.upstream.active", this, u -> u.leasedNow()).tags(tags)
                .description("Connections or requests open to the upstream"), "junction.upstream.active", tags);
        Future<Void> discovered = discovery.map(d -> d.start(this::replaceEndpoints)).orElse(Future.succeededFuture());
        return discovered.onSuccess(v -> {
            if (!settings.healthInterval().isZero()) {
                context.runOnContext(x -> {
                    checkHealth();
                    healthTimer = vertx.setPeriodic(settings.healthInterval().toMillis(), id -> checkHealth());
                });
            }
        });
    }

    private void gauge(Gauge.Builder<DefaultUpstream> builder, String name, Tags tags) {
        Gauge previous = registry.find(name).tags(tags).gauge();
        if (previous != null) {
            registry.remove(previous);
        }
        meters.add(builder.register(registry));
    }

    /**
     * Stops health checks, discovery and meters now, and closes the connector after {@code drain}, so connections
     * it opened for traffic still in flight are not cut by a reload.
     */
    public Future<Void> retire(java.time.Duration drain) {
        Future<Void> stopped = stopChecks();
        Promise<Void> closed = Promise.promise();
        vertx.setTimer(Math.max(1, drain.toMillis()), id -> connector.close().onComplete(closed));
        return stopped.eventually(closed::future);
    }

    /** Stops health checks and discovery, fails waiters and closes the connector. */
    public Future<Void> stop() {
        return stopChecks().eventually(connector::close);
    }

    private Future<Void> stopChecks() {
        if (healthTimer >= 0) {
            vertx.cancelTimer(healthTimer);
        }
        List<Waiter> failed;
        synchronized (limitLock) {
            failed = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter waiter : failed) {
            waiter.fail(new GatewayException(Source.INTERNAL, true, "upstream " + name + ": stopped"));
        }
        for (Meter meter : meters) {
            // A successor of the same name may have replaced the gauge already; leave its gauge alone.
            if (registry.find(meter.getId().getName()).tags(meter.getId().getTags()).meter() == meter) {
                registry.remove(meter);
            }
        }
        return discovery.map(Discovery::stop).orElse(Future.succeededFuture());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Connector connector() {
        return connector;
    }

    /** Returns the settings this upstream was built from. */
    public UpstreamSettings settings() {
        return settings;
    }

    @Override
    public List<EndpointStatus> endpoints() {
        EndpointState[] states = balancer.endpoints;
        List<EndpointStatus> statuses = new ArrayList<>(states.length);
        for (EndpointState state : states) {
            statuses.add(state.status());
        }
        return statuses;
    }

    private int leasedNow() {
        synchronized (limitLock) {
            return leased;
        }
    }

    @Override
    public Future<EndpointLease> acquire(Selection selection) {
        Objects.requireNonNull(selection, "selection");
        synchronized (limitLock) {
            if (leased < settings.maxConnections()) {
                leased++;
                return choose(selection);
            }
            if (waiters.size() >= settings.maxPending()) {
                rejected.increment();
                return Future.failedFuture(new GatewayException(Source.INTERNAL, false, "upstream " + name + ": "
                        + leased + " connections open and " + waiters.size()
                        + " waiting (limits.max-connections, limits.max-pending)"));
            }
            Waiter waiter = new Waiter(selection, ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).promise());
            waiters.add(waiter);
            waiter.timer = vertx.setTimer(Math.max(1, settings.pendingTimeout().toMillis()), id -> {
                boolean removed;
                synchronized (limitLock) {
                    removed = waiters.remove(waiter);
                }
                if (removed) {
                    rejected.increment();
                    waiter.fail(new GatewayException(Source.INTERNAL, false, "upstream " + name
                            + ": no connection slot within " + settings.pendingTimeout().toMillis()
                            + "ms (limits.pending-timeout)"));
                }
            });
            return waiter.promise.future();
        }
    }

    /** Chooses an endpoint for a caller that holds a slot; releases the slot when none can be chosen. */
    private Future<EndpointLease> choose(Selection selection) {
        LoadBalancer current = balancer;
        Set<Endpoint> exclude = selection.exclude();
        // The first attempt of a request excludes nothing: constant predicates, no clock read unless ejected.
        Predicate<EndpointState> notExcluded = exclude.isEmpty() ? ANY_STATE
                : state -> !exclude.contains(state.endpoint);
        EndpointState chosen = current.choose(selection.hashKey(), exclude.isEmpty() ? AVAILABLE
                : state -> !exclude.contains(state.endpoint) && state.available());
        if (chosen == null) {
            // Panic mode: when nothing is available, spread over everything rather than black-holing the upstream.
            chosen = current.choose(selection.hashKey(), notExcluded);
        }
        if (chosen == null) {
            releaseSlot();
            rejected.increment();
            return Future.failedFuture(new GatewayException(Source.UPSTREAM, false, "upstream " + name
                    + ": no endpoint available (" + describeEndpoints(current, selection) + ")"));
        }
        chosen.active.incrementAndGet();
        return Future.succeededFuture(new Lease(chosen));
    }

    private static String describeEndpoints(LoadBalancer balancer, Selection selection) {
        if (balancer.endpoints.length == 0) {
            return "no endpoints known";
        }
        List<String> parts = new ArrayList<>();
        for (EndpointState state : balancer.endpoints) {
            String status = selection.exclude().contains(state.endpoint) ? "already tried"
                    : state.status().available() ? "available" : "unavailable";
            parts.add(state.endpoint + " " + status);
        }
        return String.join(", ", parts);
    }

    private void releaseSlot() {
        Waiter next;
        synchronized (limitLock) {
            next = waiters.poll();
            if (next == null) {
                leased--;
                return;
            }
        }
        // The slot passes straight to the next waiter.
        vertx.cancelTimer(next.timer);
        choose(next.selection).onComplete(next.promise);
    }

    private void replaceEndpoints(List<Endpoint> endpoints) {
        Map<Endpoint, EndpointState> existing = new HashMap<>();
        for (EndpointState state : balancer.endpoints) {
            existing.put(state.endpoint, state);
        }
        List<EndpointState> states = endpoints.stream()
                .map(endpoint -> existing.getOrDefault(endpoint, new EndpointState(endpoint))).toList();
        balancer = LoadBalancer.create(settings.loadBalancer(), states);
        LOG.log(Level.INFO, "upstream " + name + ": endpoints now " + endpoints);
    }

    private void checkHealth() {
        for (EndpointState state : balancer.endpoints) {
            Future<Void> probe;
            try {
                probe = connector.probe(state.endpoint, settings.healthTimeout())
                        .timeout(settings.healthTimeout().toMillis() + 50, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                probe = Future.failedFuture(e);
            }
            probe.onComplete(result -> recordProbe(state, result.succeeded(), result.cause()));
        }
    }

    private void recordProbe(EndpointState state, boolean success, Throwable cause) {
        if (success) {
            state.probeFailures = 0;
            state.probeSuccesses++;
            if (!state.healthy && state.probeSuccesses >= settings.healthyThreshold()) {
                state.healthy = true;
                state.consecutiveFailures.set(0);
                state.ejectedUntilNanos = 0;
                LOG.log(Level.INFO, "upstream " + name + ": endpoint " + state.endpoint + " is healthy again");
            }
        } else {
            state.probeSuccesses = 0;
            state.probeFailures++;
            if (state.healthy && state.probeFailures >= settings.unhealthyThreshold()) {
                state.healthy = false;
                LOG.log(Level.WARNING, "upstream " + name + ": endpoint " + state.endpoint
                        + " marked unhealthy after " + state.probeFailures + " failed checks: "
                        + (cause == null ? "probe failed" : cause.getMessage()));
            }
        }
    }

    private final class Lease implements EndpointLease {
        private final EndpointState state;
        private boolean released;

        Lease(EndpointState state) {
            this.state = state;
        }

        @Override
        public Endpoint endpoint() {
            return state.endpoint;
        }

        @Override
        public void success() {
            if (release() && state.consecutiveFailures.get() != 0) {
                state.consecutiveFailures.set(0);
            }
        }

        @Override
        public void failure(Throwable cause) {
            if (!release()) {
                return;
            }
            int failures = state.consecutiveFailures.incrementAndGet();
            int threshold = settings.consecutiveFailures();
            if (threshold > 0 && failures >= threshold && !state.ejected(System.nanoTime())) {
                state.ejectedUntilNanos = System.nanoTime() + settings.ejectionTime().toNanos();
                state.consecutiveFailures.set(0);
                ejections.increment();
                LOG.log(Level.WARNING, "upstream " + name + ": endpoint " + state.endpoint + " ejected for "
                        + settings.ejectionTime().toMillis() + "ms after " + failures + " consecutive failures: "
                        + (cause == null ? "failure" : cause.getMessage()));
            }
        }

        private boolean release() {
            synchronized (this) {
                if (released) {
                    return false;
                }
                released = true;
            }
            state.active.decrementAndGet();
            releaseSlot();
            return true;
        }
    }

    private static final class Waiter {
        final Selection selection;
        final Promise<EndpointLease> promise;
        long timer;

        Waiter(Selection selection, Promise<EndpointLease> promise) {
            this.selection = selection;
            this.promise = promise;
        }

        void fail(Throwable cause) {
            promise.tryFail(cause);
        }
    }
}
