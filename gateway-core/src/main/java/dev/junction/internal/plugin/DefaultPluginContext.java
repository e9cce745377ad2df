package dev.junction.internal.plugin;

import dev.junction.internal.task.DefaultTaskRuntime;
import dev.junction.spi.PluginContext;
import dev.junction.spi.task.TaskRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/** What the host gives one plugin. */
final class DefaultPluginContext implements PluginContext {

    private final String pluginName;
    private final VertxInternal vertx;
    private final int eventLoops;
    private final MeterRegistry registry;
    private final System.Logger logger;
    private final TaskRuntime tasks;
    private final ClassLoader classLoader;

    DefaultPluginContext(String pluginName, VertxInternal vertx, int eventLoops, MeterRegistry registry,
            ClassLoader classLoader) {
        this.pluginName = pluginName;
        this.vertx = vertx;
        this.eventLoops = eventLoops;
        this.registry = registry;
        this.logger = System.getLogger("junction." + pluginName);
        this.tasks = new DefaultTaskRuntime(vertx, registry, pluginName);
        this.classLoader = classLoader;
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public Vertx vertx() {
        return vertx;
    }

    @Override
    public int eventLoops() {
        return eventLoops;
    }

    @Override
    public MeterRegistry meterRegistry() {
        return registry;
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public TaskRuntime tasks() {
        return tasks;
    }

    @Override
    public ClassLoader classLoader() {
        return classLoader;
    }
}
