package dev.junction.plugin.http;

import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.upstream.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP {@code proxy} action: forwards each request to an endpoint of an upstream (or of a weighted split of
 * upstreams) and streams the response back. One {@link ProxyCall} carries each request.
 */
final class ProxyAction implements HttpAction {

    /** An upstream of the split with its connector and weight. */
    record Target(Upstream upstream, HttpConnector connector, int weight) {
    }

    /** What may be retried. */
    record RetryOn(boolean connectFailure, boolean reset, boolean timeout, Set<Integer> statuses,
            boolean[] statusTable) {

        RetryOn(boolean connectFailure, boolean reset, boolean timeout, Set<Integer> statuses) {
            this(connectFailure, reset, timeout, statuses, table(statuses));
        }

        private static boolean[] table(Set<Integer> statuses) {
            boolean[] table = new boolean[600];
            for (int status : statuses) {
                if (status >= 0 && status < table.length) {
                    table[status] = true;
                }
            }
            return table;
        }

        /** Returns whether a response with {@code status} may be retried, without boxing it. */
        boolean status(int status) {
            return status >= 0 && status < statusTable.length && statusTable[status];
        }
    }

    /** What consistent hashing hashes on. */
    record HashKey(Kind kind, String name) {
        static final HashKey NONE = new HashKey(Kind.NONE, "");

        enum Kind { NONE, CLIENT_ADDRESS, PATH, HEADER, COOKIE }
    }

    private final Target[] targets;
    private final int totalWeight;
    final String host;
    final long firstByteMillis;
    final long requestMillis;
    final long idleMillis;
    final int attempts;
    final RetryOn retryOn;
    private final double budget;
    private final int minConcurrentRetries;
    final HashKey hashKey;
    final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger retriesInFlight = new AtomicInteger();
    private final Map<String, UpstreamMeters> meters = new ConcurrentHashMap<>();
    /** The meters of the only upstream, when there is one: the common case skips the map. */
    private volatile UpstreamMeters singleMeters;

    ProxyAction(List<Target> targets, String host, Duration firstByte, Duration request, Duration idle, int attempts,
            RetryOn retryOn, double budget, int minConcurrentRetries, HashKey hashKey) {
        this.targets = targets.toArray(new Target[0]);
        this.totalWeight = targets.stream().mapToInt(Target::weight).sum();
        this.host = host;
        this.firstByteMillis = firstByte.toMillis();
        this.requestMillis = request.toMillis();
        this.idleMillis = idle.toMillis();
        this.attempts = attempts;
        this.retryOn = retryOn;
        this.budget = budget;
        this.minConcurrentRetries = minConcurrentRetries;
        this.hashKey = hashKey;
    }

    @Override
    public Future<Void> handle(HttpExchange exchange) {
        return new ProxyCall(this, (DefaultHttpExchange) exchange).start();
    }

    /** Returns whether every upstream of the split is reached over HTTP/1.1 (not h2c). */
    boolean http1Only() {
        for (Target target : targets) {
            if (!target.connector().http1()) {
                return false;
            }
        }
        return true;
    }

    /** Picks the upstream of a weighted split; the first for a single upstream. */
    Target pick() {
        if (targets.length == 1) {
            return targets[0];
        }
        int ticket = ThreadLocalRandom.current().nextInt(totalWeight);
        for (Target target : targets) {
            ticket -= target.weight();
            if (ticket < 0) {
                return target;
            }
        }
        return targets[targets.length - 1];
    }

    /** Takes a slot of the retry budget, or returns false when retries in flight are at the budget. */
    boolean acquireRetry() {
        int allowed = Math.max(minConcurrentRetries, (int) (budget * inFlight.get()));
        while (true) {
            int current = retriesInFlight.get();
            if (current >= allowed) {
                return false;
            }
            if (retriesInFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void releaseRetry() {
        retriesInFlight.decrementAndGet();
    }

    static boolean idempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
    }

    UpstreamMeters meters(Target target, MeterRegistry registry) {
        if (targets.length == 1) {
            UpstreamMeters single = singleMeters;
            if (single == null) {
                single = meters.computeIfAbsent(target.upstream().name(), key -> new UpstreamMeters(registry, key));
                singleMeters = single;
            }
            return single;
        }
        String name = target.upstream().name();
        UpstreamMeters existing = meters.get(name);
        return existing != null ? existing : meters.computeIfAbsent(name, key -> new UpstreamMeters(registry, key));
    }

    @Override
    public String describe() {
        StringBuilder text = new StringBuilder("proxy -> ");
        for (int i = 0; i < targets.length; i++) {
            text.append(i == 0 ? "" : ", ").append("upstream ").append(targets[i].upstream().name());
            if (targets.length > 1) {
                text.append(" (weight ").append(targets[i].weight()).append(')');
            }
        }
        return text.toString();
    }

    /** Meters of the requests sent to one upstream: by status class, time to the response head, retries. */
    static final class UpstreamMeters {
        private final Counter[] byClass = new Counter[6];
        final Timer firstByte;
        final Counter retries;

        UpstreamMeters(MeterRegistry registry, String upstream) {
            Tags tags = Tags.of("upstream", upstream);
            String[] classes = {"1xx", "2xx", "3xx", "4xx", "5xx", "failed"};
            for (int i = 0; i < classes.length; i++) {
                byClass[i] = Counter.builder("junction.http.upstream.requests").tags(tags).tag("class", classes[i])
                        .description("Requests sent upstream by status class; failed: no response")
                        .register(registry);
            }
            firstByte = Timer.builder("junction.http.upstream.first.byte").tags(tags)
                    .description("Time from sending a request upstream to its response head")
                    .serviceLevelObjectives(HttpListenerMetrics.BUCKETS).register(registry);
            retries = Counter.builder("junction.http.upstream.retries").tags(tags)
                    .description("Requests sent again after a failed attempt").register(registry);
        }

        void answered(int status) {
            int index = status / 100 - 1;
            byClass[index < 0 || index > 4 ? 4 : index].increment();
        }

        void failed() {
            byClass[5].increment();
        }
    }
}
