package dev.junction.plugin.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one {@code http} listener: connections, requests by route and status class, request durations as
 * histograms, active requests, and requests refused before routing. Labels are bounded: listener, route and status
 * class, never a path or a client.
 */
final class HttpListenerMetrics {

    static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
    };
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final Tags tags;
    final Counter connections;
    final Counter headerTimeouts;
    final Counter unrouted;
    final Counter fastPath;

    HttpListenerMetrics(MeterRegistry registry, Tags tags, AtomicLong active) {
        this.registry = registry;
        this.tags = tags;
        this.connections = Counter.builder("junction.http.connections").tags(tags)
                .description("Connections accepted").register(registry);
        this.headerTimeouts = Counter.builder("junction.http.request.header.timeouts").tags(tags)
                .description("Connections closed because a request head did not arrive in time").register(registry);
        this.unrouted = Counter.builder("junction.http.unrouted").tags(tags)
                .description("Requests no route matched (answered 404)").register(registry);
        this.fastPath = Counter.builder("junction.http.fast.path.requests").tags(tags)
                .description("Requests proxied by the HTTP/1.1 fast path").register(registry);
        // A listener replaced by a reload registers again: the meter must read the new listener, not the old one.
        removeExisting(registry, "junction.http.active.requests", tags);
        Gauge.builder("junction.http.active.requests", active, AtomicLong::get).tags(tags)
                .description("Requests in progress").register(registry);
    }

    /** Removes the meter {@code name} with {@code tags}, if any, so that a function meter can be bound anew. */
    static void removeExisting(MeterRegistry registry, String name, Tags tags) {
        io.micrometer.core.instrument.Meter existing = registry.find(name).tags(tags).meter();
        if (existing != null) {
            registry.remove(existing);
        }
    }

    /** Counts a request refused before routing, by its status (400, 413, 414, 431). */
    void rejected(int status) {
        Counter.builder("junction.http.rejected").tags(tags).tag("status", Integer.toString(status))
                .description("Requests refused before routing").register(registry).increment();
    }

    /** Returns the routes with their meters attached. */
    HttpListener.CompiledRoute[] bind(HttpListener.CompiledRoute[] routes) {
        HttpListener.CompiledRoute[] bound = new HttpListener.CompiledRoute[routes.length];
        for (int i = 0; i < routes.length; i++) {
            HttpListener.CompiledRoute route = routes[i];
            bound[i] = new HttpListener.CompiledRoute(route.name(), route.match(), route.filters(), route.hasFilters(),
                    route.action(), new RouteMeters(route.name()));
        }
        return bound;
    }

    /** Meters of one route, looked up once per reload rather than per request. */
    final class RouteMeters {
        private final Counter[] byClass = new Counter[CLASSES.length];
        private final Timer duration;

        RouteMeters(String route) {
            Tags routeTags = tags.and("route", route);
            for (int i = 0; i < CLASSES.length; i++) {
                byClass[i] = Counter.builder("junction.http.requests").tags(routeTags).tag("class", CLASSES[i])
                        .description("Requests by route and status class").register(registry);
            }
            duration = Timer.builder("junction.http.request.duration").tags(routeTags)
                    .description("Time from the request head to the response's end")
                    .serviceLevelObjectives(BUCKETS).register(registry);
        }

        void record(int status, long nanos) {
            int index = status / 100 - 1;
            byClass[index < 0 || index >= CLASSES.length ? 4 : index].increment();
            duration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
