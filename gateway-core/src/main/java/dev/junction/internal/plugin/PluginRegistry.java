package dev.junction.internal.plugin;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.Plugin;
import dev.junction.spi.PluginContext;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.ConnectorFactory;
import dev.junction.spi.upstream.DiscoveryFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The started plugins and every extension point they provide, indexed by the name used in configuration. Two
 * plugins providing the same name is a problem naming both; the first one keeps it.
 */
public final class PluginRegistry {

    /** A factory and the plugin that provided it. */
    public record Provided<T>(T factory, LoadedPlugin plugin, PluginContext context) {
    }

    private final Map<String, PluginContext> contexts = new LinkedHashMap<>();
    private final Map<String, Provided<ListenerFactory>> listeners = new LinkedHashMap<>();
    private final Map<String, Provided<ConnectorFactory>> connectors = new LinkedHashMap<>();
    private final Map<String, Provided<FilterFactory>> filters = new LinkedHashMap<>();
    private final Map<String, Provided<ActionFactory>> actions = new LinkedHashMap<>();
    private final Map<String, Provided<DiscoveryFactory>> discoveries = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<LoadedPlugin> started = new ArrayList<>();

    private PluginRegistry(List<String> scanProblems) {
        this.problems.addAll(scanProblems);
    }

    /**
     * Starts every scanned plugin and indexes its factories. A plugin whose start fails is reported and skipped.
     */
    public static Future<PluginRegistry> start(PluginScanner.Result scan, VertxInternal vertx, int eventLoops,
            MeterRegistry meterRegistry) {
        PluginRegistry registry = new PluginRegistry(scan.problems());
        Future<Void> chain = Future.succeededFuture();
        for (LoadedPlugin loaded : scan.plugins()) {
            chain = chain.compose(v -> registry.startOne(loaded, vertx, eventLoops, meterRegistry));
        }
        return chain.map(registry);
    }

    private Future<Void> startOne(LoadedPlugin loaded, VertxInternal vertx, int eventLoops, MeterRegistry meterRegistry) {
        PluginContext context = new DefaultPluginContext(loaded.name(), vertx, eventLoops, meterRegistry,
                loaded.classLoader());
        Future<Void> start;
        try {
            start = withContextLoader(loaded.classLoader(), () -> loaded.plugin().start(context));
        } catch (RuntimeException | LinkageError e) {
            start = Future.failedFuture(e);
        }
        return start.transform(result -> {
            if (result.failed()) {
                problems.add("plugin '" + loaded.name() + "' (" + loaded.origin() + ") failed to start: "
                        + result.cause());
                stopQuietly(loaded);
                return Future.succeededFuture();
            }
            started.add(loaded);
            contexts.put(loaded.name(), context);
            try {
                index(loaded, context);
            } catch (RuntimeException | LinkageError e) {
                problems.add("plugin '" + loaded.name() + "' (" + loaded.origin() + ") failed to list its extensions: " + e);
            }
            return Future.succeededFuture();
        });
    }

    private void index(LoadedPlugin loaded, PluginContext context) {
        Plugin plugin = loaded.plugin();
        for (ListenerFactory factory : plugin.listenerFactories()) {
            put(listeners, factory.protocol(), "listener protocol", factory, loaded, context);
        }
        for (ConnectorFactory factory : plugin.connectorFactories()) {
            put(connectors, factory.protocol(), "upstream protocol", factory, loaded, context);
        }
        for (FilterFactory factory : plugin.filterFactories()) {
            put(filters, actionKey(factory.name(), factory.shape()), "filter", factory, loaded, context);
        }
        for (ActionFactory factory : plugin.actionFactories()) {
            put(actions, actionKey(factory.name(), factory.shape()), "action", factory, loaded, context);
        }
        for (DiscoveryFactory factory : plugin.discoveryFactories()) {
            put(discoveries, factory.type(), "discovery type", factory, loaded, context);
        }
    }

    private <T> void put(Map<String, Provided<T>> index, String key, String what, T factory, LoadedPlugin loaded,
            PluginContext context) {
        Provided<T> existing = index.get(key);
        if (existing != null) {
            problems.add(what + " '" + key + "' is provided by plugin '" + existing.plugin().name() + "' ("
                    + existing.plugin().origin() + ") and by plugin '" + loaded.name() + "' (" + loaded.origin()
                    + "); the second is ignored");
            return;
        }
        index.put(key, new Provided<>(factory, loaded, context));
    }

    static String actionKey(String name, TrafficShape shape) {
        return name + "/" + shape;
    }

    /** Returns the plugins that started. */
    public List<LoadedPlugin> plugins() {
        return List.copyOf(started);
    }


    /** Returns problems met while loading and starting plugins. */
    public List<String> problems() {
        return List.copyOf(problems);
    }


    public Optional<Provided<ListenerFactory>> listener(String protocol) {
        return Optional.ofNullable(listeners.get(protocol));
    }

    public Optional<Provided<ConnectorFactory>> connector(String protocol) {
        return Optional.ofNullable(connectors.get(protocol));
    }

    public Optional<Provided<FilterFactory>> filter(String name, TrafficShape shape) {
        return Optional.ofNullable(filters.get(actionKey(name, shape)));
    }

    public Optional<Provided<ActionFactory>> action(String name, TrafficShape shape) {
        return Optional.ofNullable(actions.get(actionKey(name, shape)));
    }

    public Optional<Provided<DiscoveryFactory>> discovery(String type) {
        return Optional.ofNullable(discoveries.get(type));
    }

    public List<String> listenerProtocols() {
        return List.copyOf(listeners.keySet());
    }

    public List<String> connectorProtocols() {
        return List.copyOf(connectors.keySet());
    }

    /** Returns the filter names available for {@code shape}. */
    public List<String> filterNames(TrafficShape shape) {
        return filters.values().stream().filter(p -> p.factory().shape() == shape).map(p -> p.factory().name())
                .toList();
    }

    public List<String> discoveryTypes() {
        return List.copyOf(discoveries.keySet());
    }

    /** Returns the action names available for {@code shape}. */
    public List<String> actionNames(TrafficShape shape) {
        return actions.values().stream().filter(p -> p.factory().shape() == shape).map(p -> p.factory().name()).toList();
    }

    /** Returns one line per extension a plugin provides, such as {@code listener tcp}, for {@code junction plugins}. */
    public List<String> provides(String pluginName) {
        List<String> lines = new ArrayList<>();
        describe(lines, listeners, pluginName, p -> "listener " + p.factory().protocol());
        describe(lines, connectors, pluginName, p -> "connector " + p.factory().protocol());
        describe(lines, actions, pluginName, p -> "action " + p.factory().name() + " ("
                + p.factory().shape().name().toLowerCase(java.util.Locale.ROOT) + ")");
        describe(lines, filters, pluginName, p -> "filter " + p.factory().name() + " ("
                + p.factory().shape().name().toLowerCase(java.util.Locale.ROOT)
                + (p.factory().style() == ExecutionStyle.BLOCKING ? ", blocking" : "") + ")");
        describe(lines, discoveries, pluginName, p -> "discovery " + p.factory().type());
        return lines;
    }

    private static <T> void describe(List<String> lines, Map<String, Provided<T>> index, String pluginName,
            Function<Provided<T>, String> line) {
        index.values().stream().filter(p -> p.plugin().name().equals(pluginName)).map(line).forEach(lines::add);
    }

    /** Returns the names of the started plugins, sorted, for error messages. */
    public String loadedNames() {
        return String.join(", ", new TreeSet<>(contexts.keySet()));
    }

    /** Stops every started plugin in reverse order; failures are logged, never thrown. */
    public Future<Void> stop() {
        Future<Void> chain = Future.succeededFuture();
        for (int i = started.size() - 1; i >= 0; i--) {
            LoadedPlugin loaded = started.get(i);
            chain = chain.eventually(() -> stopQuietly(loaded));
        }
        return chain;
    }

    private static Future<Void> stopQuietly(LoadedPlugin loaded) {
        try {
            return withContextLoader(loaded.classLoader(), () -> loaded.plugin().stop())
                    .recover(e -> {
                        System.getLogger("junction.plugins").log(System.Logger.Level.WARNING,
                                "plugin '" + loaded.name() + "' failed to stop: " + e);
                        return Future.succeededFuture();
                    });
        } catch (RuntimeException | LinkageError e) {
            System.getLogger("junction.plugins").log(System.Logger.Level.WARNING,
                    "plugin '" + loaded.name() + "' failed to stop: " + e);
            return Future.succeededFuture();
        }
    }

    /** Calls plugin code with the plugin's class loader as the thread's context class loader. */
    public static <T> T withContextLoader(ClassLoader loader, Supplier<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return call.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
