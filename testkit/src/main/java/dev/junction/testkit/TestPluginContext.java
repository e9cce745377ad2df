package dev.junction.testkit;

import dev.junction.spi.PluginContext;
import dev.junction.spi.task.TaskRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/** The host's side of a plugin, for tests: a real Vert.x, a simple registry and {@link TestTasks}. */
public final class TestPluginContext implements PluginContext {

    private final Vertx vertx;
    private final String pluginName;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestTasks tasks;

    /** Creates the context of plugin {@code pluginName} on {@code vertx}, with a simple meter registry. */
    public TestPluginContext(Vertx vertx, String pluginName) {
        this.vertx = vertx;
        this.pluginName = pluginName;
        this.tasks = new TestTasks(vertx);
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
        return 4;
    }

    @Override
    public MeterRegistry meterRegistry() {
        return registry;
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("junction." + pluginName);
    }

    @Override
    public TaskRuntime tasks() {
        return tasks;
    }

    /** Returns the task runtime as its test type, to check for scopes left open. */
    public TestTasks testTasks() {
        return tasks;
    }

    /** Returns the context class loader of the calling thread: in tests, plugins share the test's loader. */
    @Override
    public ClassLoader classLoader() {
        return Thread.currentThread().getContextClassLoader();
    }
}
