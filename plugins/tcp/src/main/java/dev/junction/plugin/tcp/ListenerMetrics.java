package dev.junction.plugin.tcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;

/** The meters of one {@code tcp} listener, all tagged {@code listener=<name>}; created when it starts. */
final class ListenerMetrics {

    /** Why a connection was closed without reaching an action; the bounded values of the {@code reason} tag. */
    enum Rejection {
        NO_ROUTE("no-route"),
        FILTER("filter"),
        LIMIT("limit");

        final String tag;

        Rejection(String tag) {
            this.tag = tag;
        }
    }

    final Counter accepted;
    final AtomicLong active;
    final Counter bytesReceived;
    final Counter bytesSent;
    final Timer duration;
    private final Counter[] rejected;

    ListenerMetrics(MeterRegistry registry, Tags tags, ActiveGauges gauges) {
        accepted = Counter.builder("junction.tcp.connections.accepted")
                .description("TCP connections accepted").tags(tags).register(registry);
        active = gauges.forListener(registry, "junction.tcp.connections.active", "Open TCP connections of the listener", tags);
        bytesReceived = Counter.builder("junction.tcp.bytes.received")
                .description("Bytes read from clients").tags(tags).register(registry);
        bytesSent = Counter.builder("junction.tcp.bytes.sent")
                .description("Bytes written to clients").tags(tags).register(registry);
        duration = Timer.builder("junction.tcp.connection.duration")
                .description("How long routed TCP connections stayed open").tags(tags).register(registry);
        rejected = new Counter[Rejection.values().length];
        for (Rejection rejection : Rejection.values()) {
            rejected[rejection.ordinal()] = Counter.builder("junction.tcp.connections.rejected")
                    .description("TCP connections closed without reaching an action")
                    .tags(tags).tag("reason", rejection.tag).register(registry);
        }
    }

    void rejected(Rejection rejection) {
        rejected[rejection.ordinal()].increment();
    }
}
