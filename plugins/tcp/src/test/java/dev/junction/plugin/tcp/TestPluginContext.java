package dev.junction.plugin.tcp;

import dev.junction.spi.PluginContext;
import dev.junction.spi.task.TaskRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/** The host's side of a plugin, for tests: a real Vert.x, a simple registry and {@link TestTasks}. */
final class TestPluginContext implements PluginContext {

    private final Vertx vertx;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestTasks tasks;

    TestPluginContext(Vertx vertx) {
        this.vertx = vertx;
        this.tasks = new TestTasks(vertx);
    }

    @Override
    public String pluginName() {
        return "tcp";
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
        return System.getLogger("junction.tcp");
    }

    @Override
    public TaskRuntime tasks() {
        return tasks;
    }

    TestTasks testTasks() {
        return tasks;
    }

    @Override
    public ClassLoader classLoader() {
        return TcpPlugin.class.getClassLoader();
    }
}
