package dev.junction.spi;

import dev.junction.spi.task.TaskRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * What the host gives a plugin: the shared Vert.x instance, the task runtime, a meter registry and a logger named
 * after the plugin.
 *
 * <p>Meters are named {@code junction_<plugin>_<what>} (Micrometer: {@code junction.tcp.connections}) with bounded
 * label values: never a raw path, query name or client address.
 */
public interface PluginContext {

    /** Returns the plugin's name. */
    String pluginName();

    /** Returns the gateway's Vert.x instance. */
    Vertx vertx();

    /** Returns the number of event loops, which is how many instances a listener should run. */
    int eventLoops();

    /** Returns the registry behind {@code /metrics}. */
    MeterRegistry meterRegistry();

    /** Returns a logger named {@code junction.<plugin>}. */
    System.Logger logger();

    /** Returns the task runtime, whose scopes are counted under this plugin's name. */
    TaskRuntime tasks();

    /** Returns the class loader of the plugin; the host sets it as context class loader for plugin code. */
    ClassLoader classLoader();
}
