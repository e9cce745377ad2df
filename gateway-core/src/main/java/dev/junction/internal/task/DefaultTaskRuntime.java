package dev.junction.internal.task;

import dev.junction.spi.task.TaskRuntime;
import dev.junction.spi.task.TaskScope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The task runtime of one plugin: opens root scopes on the caller's context and counts them under the plugin's name.
 */
public final class DefaultTaskRuntime implements TaskRuntime {

    private final VertxInternal vertx;
    final Counter started;
    final Counter cancelled;
    final Counter timedOut;
    final AtomicLong active = new AtomicLong();

    /** Creates the runtime of {@code plugin}, registering its task meters. */
    public DefaultTaskRuntime(VertxInternal vertx, MeterRegistry registry, String plugin) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        Tags tags = Tags.of("plugin", plugin);
        this.started = Counter.builder("junction.tasks.started").tags(tags)
                .description("Task scopes opened").register(registry);
        this.cancelled = Counter.builder("junction.tasks.cancelled").tags(tags)
                .description("Task scopes cancelled before they finished").register(registry);
        this.timedOut = Counter.builder("junction.tasks.timed.out").tags(tags)
                .description("Task scopes that passed their deadline").register(registry);
        registry.gauge("junction.tasks.active", tags, active);
    }

    @Override
    public TaskScope open(String name, Duration timeout) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = timeout.isZero() ? DefaultTaskScope.NO_DEADLINE : System.nanoTime() + timeout.toNanos();
        return new DefaultTaskScope(this, vertx, vertx.getOrCreateContext(), null, name, deadline);
    }
}
