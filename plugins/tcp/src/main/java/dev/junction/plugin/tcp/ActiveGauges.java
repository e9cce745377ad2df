package dev.junction.plugin.tcp;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One active-connections (or active-flows) gauge per registry, meter name and listener tags. A Micrometer registry keeps the
 * first gauge registered under an id, so two listener instances with one name (the old one draining, the new one
 * serving) must feed the same counter rather than each register their own.
 */
final class ActiveGauges {

    private record Key(MeterRegistry registry, String name, Tags tags) {
    }

    private final ConcurrentMap<Key, AtomicLong> gauges = new ConcurrentHashMap<>();

    AtomicLong forListener(MeterRegistry registry, String name, String description, Tags tags) {
        return gauges.computeIfAbsent(new Key(registry, name, tags), key -> {
            AtomicLong active = new AtomicLong();
            Gauge.builder(name, active, AtomicLong::get)
                    .description(description)
                    .tags(tags)
                    .strongReference(true)
                    .register(registry);
            return active;
        });
    }
}
