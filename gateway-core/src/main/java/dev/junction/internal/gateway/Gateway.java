package dev.junction.internal.gateway;

import dev.junction.internal.config.ConfigLoader;
import dev.junction.internal.config.ConfigValidationException;
import dev.junction.internal.metrics.GatewayMetrics;
import dev.junction.internal.plugin.PluginRegistry;
import dev.junction.internal.plugin.PluginScanner;
import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.listener.Listener;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A running gateway: Vert.x, the plugins, the upstreams and listeners of the current configuration, the admin API
 * and the event-loop watchdog. Reloads are serialized; each validates the whole new configuration before it
 * changes anything.
 */
public final class Gateway {

    private static final System.Logger LOG = System.getLogger("junction.gateway");

    private final Path configFile;
    private final Map<String, String> environment;
    private final VertxInternal vertx;
    private final GatewayMetrics metrics;
    private final PluginRegistry registry;
    private final EventLoopWatchdog watchdog;
    private final AdminServer admin;
    private final Counter reloadsOk;
    private final Counter reloadsFailed;
    private volatile GatewayPlan current;
    private volatile boolean ready;
    private volatile boolean draining;
    private Future<Void> lastReload = Future.succeededFuture();
    private ConfigWatcher watcher;
    private Future<Void> shutdown;

    private Gateway(Path configFile, Map<String, String> environment, VertxInternal vertx, GatewayMetrics metrics,
            PluginRegistry registry, Settings.Runtime runtime) {
        this.configFile = configFile;
        this.environment = environment;
        this.vertx = vertx;
        this.metrics = metrics;
        this.registry = registry;
        this.watchdog = new EventLoopWatchdog(vertx, metrics.registry(), runtime.blockedThreadWarning());
        this.admin = new AdminServer(vertx, this);
        this.reloadsOk = Counter.builder("junction.config.reloads").tag("result", "success")
                .description("Configuration reloads").register(metrics.registry());
        this.reloadsFailed = Counter.builder("junction.config.reloads").tag("result", "failure")
                .description("Configuration reloads").register(metrics.registry());
    }

    /**
     * Loads and validates {@code configFile}, starts Vert.x and the plugins found on the class path and under
     * {@code pluginsDirectory}, then binds every listener and the admin API.
     *
     * @return the running gateway; fails with {@link ConfigValidationException} for an invalid configuration, or
     *     with the cause of a failed bind
     */
    public static Future<Gateway> start(Path configFile, Optional<Path> pluginsDirectory, Map<String, String> environment) {
        Objects.requireNonNull(configFile, "configFile");
        ConfigNode root = ConfigLoader.load(configFile, environment);
        Settings.Runtime runtime = runtimeSettings(root);
        VertxInternal vertx = buildVertx(runtime);
        GatewayMetrics metrics = new GatewayMetrics();
        PluginScanner.Result scan = PluginScanner.scan(pluginsDirectory, Gateway.class.getClassLoader());
        return PluginRegistry.start(scan, vertx, runtime.eventLoops(), metrics.registry())
                .compose(registry -> {
                    registry.problems().forEach(p -> LOG.log(Level.WARNING, p));
                    Gateway gateway = new Gateway(configFile, environment, vertx, metrics, registry, runtime);
                    metrics.bindPlugins(registry);
                    return gateway.startWith(root).map(gateway)
                            .recover(failure -> gateway.closeAll().transform(x -> Future.failedFuture(failure)));
                })
                .recover(failure -> vertx.close().transform(x -> Future.failedFuture(failure)));
    }

    /**
     * Validates a configuration file against the plugins found, without binding anything.
     *
     * @return the problems of the file and of plugin loading; empty when valid
     */
    public static Future<ValidationReport> validate(Path configFile, Optional<Path> pluginsDirectory,
            Map<String, String> environment) {
        ConfigNode root;
        try {
            root = ConfigLoader.load(configFile, environment);
        } catch (ConfigValidationException e) {
            return Future.succeededFuture(new ValidationReport(e.problems(), List.of()));
        } catch (ConfigException e) {
            return Future.succeededFuture(new ValidationReport(problemsOf(e), List.of()));
        }
        VertxInternal vertx = (VertxInternal) Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).build();
        GatewayMetrics metrics = new GatewayMetrics();
        PluginScanner.Result scan = PluginScanner.scan(pluginsDirectory, Gateway.class.getClassLoader());
        return PluginRegistry.start(scan, vertx, 1, metrics.registry()).compose(registry -> {
            List<ConfigException> problems = List.of();
            try {
                new ConfigCompiler(registry, vertx, metrics.registry(), Map.of(), environment).compile(root);
            } catch (ConfigValidationException e) {
                problems = e.problems();
            }
            ValidationReport report = new ValidationReport(problems, registry.problems());
            return registry.stop().eventually(vertx::close).map(report);
        });
    }

    /** Returns a problem and those it carries as suppressed exceptions, in file order. */
    public static List<ConfigException> problemsOf(ConfigException e) {
        dev.junction.internal.config.ConfigProblems problems = new dev.junction.internal.config.ConfigProblems();
        problems.add(e);
        return problems.problems();
    }

    /**
     * The outcome of {@link #validate}.
     *
     * @param problems configuration errors with file, line, column and key path
     * @param pluginProblems plugins that failed to load
     */
    public record ValidationReport(List<ConfigException> problems, List<String> pluginProblems) {
    }

    /** Lists the plugins found on the class path and under {@code pluginsDirectory}, started and stopped again. */
    public static Future<PluginListing> listPlugins(Optional<Path> pluginsDirectory) {
        VertxInternal vertx = (VertxInternal) Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).build();
        GatewayMetrics metrics = new GatewayMetrics();
        PluginScanner.Result scan = PluginScanner.scan(pluginsDirectory, Gateway.class.getClassLoader());
        return PluginRegistry.start(scan, vertx, 1, metrics.registry()).compose(registry -> {
            PluginListing listing = new PluginListing(registry.plugins().stream()
                    .map(p -> new PluginListing.Entry(p.name(), p.plugin().version(), p.plugin().spiVersion(),
                            p.origin(), p.plugin().description(), registry.provides(p.name())))
                    .toList(), registry.problems());
            return registry.stop().eventually(vertx::close).map(listing);
        });
    }

    /** What {@code junction plugins} prints. */
    public record PluginListing(List<Entry> plugins, List<String> problems) {
        /** One plugin. */
        public record Entry(String name, String version, String spiVersion, String origin, String description,
                List<String> provides) {
        }
    }

    static Settings.Runtime runtimeSettings(ConfigNode root) {
        // The runtime block decides how Vert.x is built, so it is read before the plugins exist; a full compile
        // reports its problems again with everything else.
        int cores = Runtime.getRuntime().availableProcessors();
        ConfigNode runtime = root.get("runtime");
        try {
            int eventLoops = runtime.get("event-loops").asInt(0);
            return new Settings.Runtime(eventLoops <= 0 ? cores : Math.min(eventLoops, 1024),
                    runtime.get("drain-timeout").asDuration(Duration.ofSeconds(10)),
                    runtime.get("watch-config").asBoolean(false),
                    runtime.get("blocked-thread-warning").asDuration(Duration.ofSeconds(2)),
                    runtime.get("transport").asEnum(Settings.Transport.class, Settings.Transport.AUTO));
        } catch (ConfigException e) {
            throw new ConfigValidationException(List.of(e));
        }
    }

    private static VertxInternal buildVertx(Settings.Runtime runtime) {
        io.vertx.core.transport.Transport transport = switch (runtime.transport()) {
            // io_uring needs fewer system calls per request than epoll (measured in docs/performance.md); kernels
            // or sandboxes without it get epoll, and anything else Java NIO.
            case AUTO -> io.vertx.core.transport.Transport.IO_URING.available()
                    ? io.vertx.core.transport.Transport.IO_URING
                    : io.vertx.core.transport.Transport.EPOLL.available()
                    ? io.vertx.core.transport.Transport.EPOLL : io.vertx.core.transport.Transport.NIO;
            case EPOLL -> io.vertx.core.transport.Transport.EPOLL;
            case IO_URING -> io.vertx.core.transport.Transport.IO_URING;
            case NIO -> io.vertx.core.transport.Transport.NIO;
        };
        if (!transport.available()) {
            throw new IllegalStateException("runtime.transport " + transport.name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-') + " is unavailable here: " + transport.unavailabilityCause()
                    + " (use transport: auto)");
        }
        if (runtime.transport() == Settings.Transport.AUTO && transport != io.vertx.core.transport.Transport.IO_URING) {
            LOG.log(Level.INFO, "io_uring unavailable (" + io.vertx.core.transport.Transport.IO_URING
                    .unavailabilityCause() + ")" + (transport == io.vertx.core.transport.Transport.NIO
                    ? "; epoll unavailable (" + io.vertx.core.transport.Transport.EPOLL.unavailabilityCause()
                    + "); using Java NIO" : "; using epoll"));
        }
        return (VertxInternal) Vertx.builder().with(vertxOptions(runtime)).withTransport(transport).build();
    }

    private static VertxOptions vertxOptions(Settings.Runtime runtime) {
        return new VertxOptions()
                .setEventLoopPoolSize(runtime.eventLoops())
                // Junction's own watchdog reports blocked loops with the plugin and route; silence the generic one.
                .setBlockedThreadCheckInterval(1).setBlockedThreadCheckIntervalUnit(TimeUnit.HOURS)
                .setMaxEventLoopExecuteTime(365).setMaxEventLoopExecuteTimeUnit(TimeUnit.DAYS);
    }

    private Future<Void> startWith(ConfigNode root) {
        GatewayPlan plan = new ConfigCompiler(registry, vertx, metrics.registry(), Map.of(), environment).compile(root);
        watchdog.start();
        return apply(null, plan)
                .compose(running -> admin.start(running.admin()).map(running))
                .onSuccess(running -> {
                    current = running;
                    ready = true;
                    configureWatcher(running);
                    LOG.log(Level.INFO, "junction ready: " + describe(running) + "; transport "
                            + vertx.transport().getClass().getSimpleName().replace("Transport", "").toLowerCase(java.util.Locale.ROOT));
                })
                .mapEmpty();
    }

    private static String describe(GatewayPlan plan) {
        List<String> parts = new ArrayList<>();
        for (GatewayPlan.ListenerPlan listener : plan.listeners().values()) {
            parts.add(listener.name() + " (" + listener.protocol() + ") on "
                    + listener.listener().boundAddress().map(Object::toString).orElse(listener.address().toString()));
        }
        return (parts.isEmpty() ? "no listeners" : String.join(", ", parts))

                + (plan.admin().enabled() ? "; admin on " + plan.admin().address() : "; admin off");
    }

    /**
     * Reloads the configuration file: validates it first and changes nothing when it is invalid. Reloads are
     * serialized.
     *
     * @param trigger what asked for the reload, for the log: {@code SIGHUP}, {@code admin API}, {@code file change}
     */
    public synchronized Future<Void> reload(String trigger) {
        Promise<Void> promise = Promise.promise();
        lastReload = lastReload.transform(x -> doReload(trigger)).onComplete(promise);
        return promise.future();
    }

    private Future<Void> doReload(String trigger) {
        if (draining) {
            return Future.failedFuture(new IllegalStateException("shutting down"));
        }
        GatewayPlan old = current;
        // Reading and compiling the file is blocking work (file I/O, plugin factories): keep it off event loops,
        // since the admin API asks for reloads from one.
        return vertx.<GatewayPlan>executeBlocking(() -> new ConfigCompiler(registry, vertx, metrics.registry(),
                        old.upstreams(), environment).compile(ConfigLoader.load(configFile, environment)), false)
                .recover(e -> {
                    if (e instanceof ConfigValidationException || e instanceof ConfigException) {
                        reloadsFailed.increment();
                        List<ConfigException> problems = e instanceof ConfigValidationException invalid
                                ? invalid.problems() : problemsOf((ConfigException) e);
                        LOG.log(Level.ERROR, "reload (" + trigger + ") rejected; the running configuration stays:\n  "
                                + String.join("\n  ", problems.stream().map(ConfigException::getMessage).toList()));
                    } else {
                        reloadsFailed.increment();
                        LOG.log(Level.ERROR, "reload (" + trigger + ") failed; the running configuration stays: " + e);
                    }
                    return Future.failedFuture(e);
                })
                .compose(next -> applyReload(trigger, old, next));
    }

    private Future<Void> applyReload(String trigger, GatewayPlan old, GatewayPlan next) {
        warnAboutRestartOnlySettings(old, next);
        return apply(old, next)
                .compose(running -> (adminChanged(old, running)
                        ? admin.stop().compose(x -> admin.start(running.admin())) : Future.<Void>succeededFuture())
                        .map(running))
                .onSuccess(running -> {
                    current = running;
                    configureWatcher(running);
                    watchdog.threshold(running.runtime().blockedThreadWarning());
                    reloadsOk.increment();
                    LOG.log(Level.INFO, "reload (" + trigger + ") applied: " + describe(running));
                })
                .onFailure(e -> {
                    reloadsFailed.increment();
                    LOG.log(Level.ERROR, "reload (" + trigger + ") failed; the running configuration stays: " + e);
                })
                .mapEmpty();
    }

    private static boolean adminChanged(GatewayPlan old, GatewayPlan next) {
        return old.admin().enabled() != next.admin().enabled()
                || !old.admin().address().toString().equals(next.admin().address().toString());
    }

    private static void warnAboutRestartOnlySettings(GatewayPlan old, GatewayPlan next) {
        if (old.runtime().eventLoops() != next.runtime().eventLoops()
                || old.runtime().transport() != next.runtime().transport()) {
            LOG.log(Level.WARNING, "runtime.event-loops and runtime.transport take effect at the next restart");
        }
    }

    /**
     * Moves from {@code old} (null at start) to {@code next}: starts new upstreams and listeners first; only when
     * all started does it swap routes on unchanged listeners and drain what was replaced or removed. A failure
     * stops what this call started and leaves {@code old} running.
     *
     * @return the plan now running: {@code next}, with the listeners kept from {@code old} where unchanged
     */
    private Future<GatewayPlan> apply(GatewayPlan old, GatewayPlan next) {
        Duration drain = next.runtime().drainTimeout();
        List<GatewayPlan.UpstreamPlan> newUpstreams = next.upstreams().values().stream()
                .filter(p -> !p.reused()).toList();
        List<GatewayPlan.ListenerPlan> toStart = new ArrayList<>();
        Map<String, GatewayPlan.ListenerPlan> kept = new LinkedHashMap<>();
        for (GatewayPlan.ListenerPlan plan : next.listeners().values()) {
            GatewayPlan.ListenerPlan previous = old == null ? null : old.listeners().get(plan.name());
            if (previous != null && previous.definition().equals(plan.definition())) {
                kept.put(plan.name(), previous);
            } else {
                toStart.add(plan);
            }
        }
        List<GatewayPlan.ListenerPlan> started = new ArrayList<>();
        Future<Void> chain = Future.all(newUpstreams.stream().map(p -> p.upstream().start()).toList()).mapEmpty();
        for (GatewayPlan.ListenerPlan plan : toStart) {
            chain = chain.compose(v -> plan.listener().start()
                    .onSuccess(x -> started.add(plan))
                    .recover(e -> Future.failedFuture(new IllegalStateException("listener " + plan.name() + " ("
                            + plan.protocol() + ") could not bind " + plan.address() + ": " + e.getMessage(), e))));
        }
        return chain.transform(result -> {
            if (result.failed()) {
                Future<?> undo = Future.join(started.stream().map(p -> p.listener().stop(Duration.ZERO)).toList());
                return undo.transform(x -> Future.join(newUpstreams.stream().map(p -> p.upstream().stop()).toList()))
                        .transform(x -> Future.failedFuture(result.cause()));
            }
            // Everything new is up: now switch. Route swaps were validated on the new plan's own listener instance.
            Map<String, GatewayPlan.ListenerPlan> effective = new LinkedHashMap<>();
            for (GatewayPlan.ListenerPlan plan : next.listeners().values()) {
                GatewayPlan.ListenerPlan running = kept.get(plan.name());
                if (running == null) {
                    effective.put(plan.name(), plan);
                } else {
                    running.listener().routes(plan.routes());
                    effective.put(plan.name(), plan.servedBy(running.listener()));
                }
            }
            List<Future<?>> retiring = new ArrayList<>();
            if (old != null) {
                for (GatewayPlan.ListenerPlan plan : old.listeners().values()) {
                    if (!kept.containsKey(plan.name())) {
                        LOG.log(Level.INFO, "listener " + plan.name() + " removed or changed; draining "
                                + plan.listener().activeConnections() + " connections for up to " + drain.toMillis() + "ms");
                        retiring.add(plan.listener().stop(drain));
                    }
                }
                for (GatewayPlan.UpstreamPlan plan : old.upstreams().values()) {
                    GatewayPlan.UpstreamPlan replacement = next.upstreams().get(plan.name());
                    if (replacement == null || replacement.upstream() != plan.upstream()) {
                        retiring.add(plan.upstream().retire(drain));
                    }
                }
            }
            Future.join(retiring).onFailure(e -> LOG.log(Level.WARNING, "draining after reload: " + e));
            return Future.succeededFuture(next.withListeners(effective));
        });
    }

    private void configureWatcher(GatewayPlan plan) {
        boolean wanted = plan.runtime().watchConfig();
        if (wanted && watcher == null) {
            watcher = ConfigWatcher.start(configFile, () -> reload("file change"));
        } else if (!wanted && watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    /**
     * Stops accepting on every listener, drains in-flight work for at most the configured drain timeout, then
     * stops plugins and Vert.x.
     */
    public synchronized Future<Void> shutdown() {
        if (shutdown != null) {
            return shutdown;
        }
        draining = true;
        ready = false;
        GatewayPlan plan = current;
        Duration drain = plan == null ? Duration.ZERO : plan.runtime().drainTimeout();
        LOG.log(Level.INFO, "shutting down: draining for up to " + drain.toMillis() + "ms");
        shutdown = closeAll();
        return shutdown;
    }

    private Future<Void> closeAll() {
        GatewayPlan plan = current;
        if (watcher != null) {
            watcher.close();
        }
        Future<Void> listeners = Future.succeededFuture();
        Future<Void> upstreams = Future.succeededFuture();
        if (plan != null) {
            Duration drain = plan.runtime().drainTimeout();
            listeners = Future.join(plan.listeners().values().stream()
                    .map(p -> (Future<?>) p.listener().stop(drain)).toList()).mapEmpty();
            upstreams = listeners.transform(x -> Future.join(plan.upstreams().values().stream()
                    .map(p -> (Future<?>) p.upstream().stop()).toList()).mapEmpty());
        }
        return upstreams
                .eventually(admin::stop)
                .eventually(registry::stop)
                .eventually(() -> {
                    watchdog.stop();
                    return vertx.close();
                });
    }

    /** Returns whether every listener is bound and the gateway is not draining. */
    public boolean ready() {
        return ready && !draining;
    }

    GatewayPlan currentPlan() {
        return current;
    }

    PluginRegistry registry() {
        return registry;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    Listener listener(String name) {
        GatewayPlan.ListenerPlan plan = current.listeners().get(name);
        return plan == null ? null : plan.listener();
    }

    /** Returns the bound admin address, once started. */
    public Optional<io.vertx.core.net.SocketAddress> adminAddress() {
        return admin.boundAddress();
    }
}
