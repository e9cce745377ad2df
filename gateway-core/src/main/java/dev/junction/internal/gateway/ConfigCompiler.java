package dev.junction.internal.gateway;

import dev.junction.internal.config.ConfigProblems;
import dev.junction.internal.config.Suggestions;
import dev.junction.internal.plugin.PluginRegistry;
import dev.junction.internal.plugin.PluginRegistry.Provided;
import dev.junction.internal.upstream.DefaultUpstream;
import dev.junction.internal.upstream.UpstreamSettings;
import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.BlockingStreamFilter;
import dev.junction.spi.http.BlockingHttpFilter;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.Route;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.ConnectorFactory;
import dev.junction.spi.upstream.Discovery;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.Upstream;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Validates a configuration tree against the loaded plugins and builds a {@link GatewayPlan}. Every problem found
 * is collected, so one run reports all of them with file, line, column and key path.
 */
final class ConfigCompiler {

    static final SocketAddress DEFAULT_ADMIN_ADDRESS = SocketAddress.inetSocketAddress(9901, "127.0.0.1");
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

    private final PluginRegistry registry;
    private final Vertx vertx;
    private final MeterRegistry meterRegistry;
    private final Map<String, GatewayPlan.UpstreamPlan> running;
    private final Map<String, String> environment;
    private final ConfigProblems problems = new ConfigProblems();

    ConfigCompiler(PluginRegistry registry, Vertx vertx, MeterRegistry meterRegistry,
            Map<String, GatewayPlan.UpstreamPlan> running, Map<String, String> environment) {
        this.registry = registry;
        this.vertx = vertx;
        this.meterRegistry = meterRegistry;
        this.running = running;
        this.environment = environment;
    }

    /**
     * Builds a plan from {@code root}.
     *
     * @throws dev.junction.internal.config.ConfigValidationException listing every problem
     */
    GatewayPlan compile(ConfigNode root) {
        problems.run(() -> root.checkKeys("admin", "runtime", "listeners", "upstreams"));
        Settings.Admin admin = problems.get(() -> admin(root.get("admin")))
                .orElse(new Settings.Admin(false, DEFAULT_ADMIN_ADDRESS, Optional.empty()));
        Settings.Runtime runtime = problems.get(() -> runtime(root.get("runtime")))
                .orElse(new Settings.Runtime(1, DEFAULT_DRAIN, false, Duration.ofSeconds(2), Settings.Transport.AUTO));
        Map<String, GatewayPlan.UpstreamPlan> upstreams = new LinkedHashMap<>();
        ConfigNode upstreamsNode = root.get("upstreams");
        problems.run(() -> {
            for (Map.Entry<String, ConfigNode> entry : upstreamsNode.entries().entrySet()) {
                problems.get(() -> upstream(entry.getKey(), entry.getValue()))
                        .ifPresent(plan -> upstreams.put(entry.getKey(), plan));
            }
        });
        Set<String> upstreamNames = new HashSet<>();
        problems.run(() -> upstreamNames.addAll(upstreamsNode.keys()));
        Map<String, GatewayPlan.ListenerPlan> listeners = new LinkedHashMap<>();
        ConfigNode listenersNode = root.get("listeners");
        problems.run(() -> {
            for (Map.Entry<String, ConfigNode> entry : listenersNode.entries().entrySet()) {
                problems.get(() -> listener(entry.getKey(), entry.getValue(), runtime, upstreams, upstreamNames))
                        .ifPresent(plan -> listeners.put(entry.getKey(), plan));
            }
        });
        checkAddressClashes(root, admin, listeners);
        problems.throwIfAny();
        return new GatewayPlan(root, admin, runtime, upstreams, listeners);
    }

    private Settings.Admin admin(ConfigNode node) {
        node.checkKeys("address", "enabled", "token");
        boolean enabled = node.get("enabled").asBoolean(true);
        SocketAddress address = node.get("address").isMissing() ? DEFAULT_ADMIN_ADDRESS : node.get("address").asAddress();
        Optional<String> token = node.get("token").asOptionalString()
                .or(() -> Optional.ofNullable(environment.get("JUNCTION_ADMIN_TOKEN")))
                .filter(t -> !t.isBlank());
        return new Settings.Admin(enabled, address, token);
    }

    private Settings.Runtime runtime(ConfigNode node) {
        node.checkKeys("event-loops", "drain-timeout", "watch-config", "blocked-thread-warning", "transport");
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        int eventLoops = node.get("event-loops").asInt(0);
        if (eventLoops < 0 || eventLoops > 1024) {
            throw node.get("event-loops").error(eventLoops + " (expected: 0-1024, 0 for one per core)");
        }
        Duration drain = nonNegative(node.get("drain-timeout"), DEFAULT_DRAIN);
        Duration blocked = nonNegative(node.get("blocked-thread-warning"), Duration.ofSeconds(2));
        if (blocked.compareTo(Duration.ofMillis(10)) < 0) {
            throw node.get("blocked-thread-warning").error(blocked.toMillis() + "ms (expected: >= 10ms)");
        }
        return new Settings.Runtime(eventLoops == 0 ? cores : eventLoops, drain, node.get("watch-config").asBoolean(false),
                blocked, node.get("transport").asEnum(Settings.Transport.class, Settings.Transport.AUTO));
    }

    private static Duration nonNegative(ConfigNode node, Duration fallback) {
        Duration value = node.asDuration(fallback);
        if (value.isNegative()) {
            throw node.error(value + " (expected: >= 0)");
        }
        return value;
    }

    private static Duration positive(ConfigNode node, Duration fallback) {
        Duration value = node.asDuration(fallback);
        if (value.isNegative() || value.isZero()) {
            throw node.error(node.asString() + " (expected: > 0)");
        }
        return value;
    }

    private static int atLeast(ConfigNode node, int fallback, int minimum) {
        int value = node.asInt(fallback);
        if (value < minimum) {
            throw node.error(value + " (expected: >= " + minimum + ")");
        }
        return value;
    }

    private GatewayPlan.UpstreamPlan upstream(String name, ConfigNode node) {
        problems.run(() -> node.checkKeys("protocol", "endpoints", "discovery", "load-balancer", "health-check",
                "passive-health", "limits", "connector"));
        ConfigNode protocolNode = node.get("protocol");
        String protocol = protocolNode.asString();
        Provided<ConnectorFactory> connectorFactory = registry.connector(protocol).orElseThrow(() -> protocolNode.error(
                missingExtension("upstream protocol", protocol, registry.connectorProtocols())));
        ConfigNode health = node.get("health-check").checkKeys("interval", "timeout", "healthy-threshold",
                "unhealthy-threshold");
        ConfigNode passive = node.get("passive-health").checkKeys("consecutive-failures", "ejection-time");
        ConfigNode limits = node.get("limits").checkKeys("max-connections", "max-pending", "pending-timeout");
        UpstreamSettings settings = new UpstreamSettings(
                node.get("load-balancer").asEnum(UpstreamSettings.LoadBalancing.class,
                        UpstreamSettings.LoadBalancing.ROUND_ROBIN),
                nonNegative(health.get("interval"), Duration.ZERO),
                positive(health.get("timeout"), Duration.ofSeconds(2)),
                atLeast(health.get("healthy-threshold"), 1, 1),
                atLeast(health.get("unhealthy-threshold"), 2, 1),
                atLeast(passive.get("consecutive-failures"), 3, 0),
                positive(passive.get("ejection-time"), Duration.ofSeconds(10)),
                atLeast(limits.get("max-connections"), 10_000, 1),
                atLeast(limits.get("max-pending"), 1_000, 0),
                positive(limits.get("pending-timeout"), Duration.ofSeconds(5)));
        ConfigNode endpointsNode = node.get("endpoints");
        ConfigNode discoveryNode = node.get("discovery");
        List<Endpoint> endpoints = new ArrayList<>();
        if (!endpointsNode.isMissing() && !discoveryNode.isMissing()) {
            throw discoveryNode.error("give either endpoints or discovery, not both");
        }
        if (endpointsNode.isMissing() && discoveryNode.isMissing()) {
            throw node.error("an upstream needs endpoints (a list of host:port) or discovery");
        }
        for (ConfigNode element : endpointsNode.elements()) {
            problems.get(() -> endpoint(element)).ifPresent(endpoints::add);
        }
        if (!endpointsNode.isMissing() && endpointsNode.elements().isEmpty()) {
            throw endpointsNode.error("empty list (expected: at least one host:port)");
        }
        Object definition = node.unwrap();
        GatewayPlan.UpstreamPlan previous = running.get(name);
        if (previous != null && previous.definition().equals(definition)) {
            return new GatewayPlan.UpstreamPlan(name, definition, previous.upstream(), true);
        }
        Optional<Discovery> discovery = Optional.empty();
        if (!discoveryNode.isMissing()) {
            Map.Entry<String, ConfigNode> only = oneKey(discoveryNode, "discovery", registry.discoveryTypes());
            var factory = registry.discovery(only.getKey()).orElseThrow(() -> discoveryNode.error(
                    missingExtension("discovery type", only.getKey(), registry.discoveryTypes())));
            discovery = Optional.of(PluginRegistry.withContextLoader(factory.plugin().classLoader(),
                    () -> factory.factory().create(name, only.getValue(), factory.context())));
        }
        Connector connector = PluginRegistry.withContextLoader(connectorFactory.plugin().classLoader(),
                () -> connectorFactory.factory().create(name, node.get("connector"), connectorFactory.context()));
        DefaultUpstream upstream = new DefaultUpstream(name, protocol, connector, settings, endpoints, discovery, vertx,
                meterRegistry);
        return new GatewayPlan.UpstreamPlan(name, definition, upstream, false);
    }

    private static Endpoint endpoint(ConfigNode element) {
        ConfigNode addressNode = element;
        int weight = 1;
        if (element.isMap()) {
            element.checkKeys("address", "weight");
            addressNode = element.get("address");
            weight = element.get("weight").asInt(1);
            if (weight < 1 || weight > 1000) {
                throw element.get("weight").error(weight + " (expected: 1-1000)");
            }
        }
        SocketAddress address = addressNode.asAddress();
        if (address.port() == 0) {
            throw addressNode.error(addressNode.asString() + " (expected: a port in 1-65535)");
        }
        return new Endpoint(address.host(), address.port(), weight);
    }

    private GatewayPlan.ListenerPlan listener(String name, ConfigNode node, Settings.Runtime runtime,
            Map<String, GatewayPlan.UpstreamPlan> upstreams, Set<String> upstreamNames) {
        problems.run(() -> node.checkKeys("protocol", "address", "options", "filters", "routes"));
        ConfigNode protocolNode = node.get("protocol");
        String protocol = protocolNode.asString();
        Provided<ListenerFactory> provided = registry.listener(protocol).orElseThrow(() -> protocolNode.error(
                missingExtension("listener protocol", protocol, registry.listenerProtocols())));
        Optional<SocketAddress> address = problems.get(() -> node.get("address").asAddress());
        TrafficShape shape = provided.factory().shape();
        ConfigNode options = node.get("options");
        List<Route> routes = new ArrayList<>();
        ConfigNode routesNode = node.get("routes");
        if (routesNode.isMissing() || routesNode.elements().isEmpty()) {
            throw node.error("a listener needs at least one route (key 'routes')");
        }
        Set<String> routeNames = new HashSet<>();
        List<ConfigNode> listenerFilters = node.get("filters").elements();
        int index = 0;
        for (ConfigNode routeNode : routesNode.elements()) {
            int routeIndex = index++;
            problems.get(() -> route(name, routeNode, routeIndex, shape, listenerFilters, upstreams, upstreamNames,
                    routeNames)).ifPresent(routes::add);
        }
        if (address.isEmpty()) {
            return null; // its problem is recorded; the routes were still checked
        }
        ListenerContext context = new DefaultListenerContext(name, address.get(), options, runtime.eventLoops(),
                Tags.of("listener", name), provided.context());
        Listener listener = PluginRegistry.withContextLoader(provided.plugin().classLoader(),
                () -> provided.factory().create(context));
        problems.run(() -> PluginRegistry.withContextLoader(provided.plugin().classLoader(), () -> {
            listener.routes(routes);
            return null;
        }));
        Object definition = List.of(protocol, address.get().toString(), String.valueOf(options.unwrap()));
        return new GatewayPlan.ListenerPlan(name, protocol, address.get(), definition, listener, List.copyOf(routes),
                provided);
    }

    private Route route(String listenerName, ConfigNode node, int index, TrafficShape shape,
            List<ConfigNode> listenerFilters, Map<String, GatewayPlan.UpstreamPlan> upstreams, Set<String> upstreamNames,
            Set<String> routeNames) {
        problems.run(() -> node.checkKeys("name", "match", "filters", "action"));
        String name = node.get("name").asString("route-" + index);
        if (!routeNames.add(name)) {
            throw node.get("name").error("duplicate route name '" + name + "' in listener " + listenerName);
        }
        String mark = listenerName + "/" + name;
        List<ConfigNode> filterNodes = new ArrayList<>(listenerFilters);
        filterNodes.addAll(node.get("filters").elements());
        DefaultFilterChain chain = filterChain(filterNodes, shape, mark);
        ConfigNode actionNode = node.get("action");
        if (actionNode.isMissing()) {
            throw node.error("a route needs an action, such as action: {proxy: {upstream: NAME}}");
        }
        Map.Entry<String, ConfigNode> only = oneKey(actionNode, "action", registry.actionNames(shape));
        Provided<ActionFactory> provided = registry.action(only.getKey(), shape).orElseThrow(() -> actionNode.error(
                missingExtension("action for " + shape.name().toLowerCase(Locale.ROOT) + " traffic", only.getKey(),
                        registry.actionNames(shape))));
        ActionFactory.ActionContext actionContext = new ActionFactory.ActionContext() {
            @Override
            public ConfigNode config() {
                return only.getValue();
            }

            @Override
            public Upstream upstream(ConfigNode reference) {
                String upstreamName = reference.asString();
                GatewayPlan.UpstreamPlan plan = upstreams.get(upstreamName);
                if (plan != null) {
                    return plan.upstream();
                }
                if (upstreamNames.contains(upstreamName)) {
                    // Defined but invalid: its own error was reported already.
                    throw reference.error("upstream '" + upstreamName + "' is invalid (see its error)");
                }
                throw reference.error("unknown upstream '" + upstreamName + "'"
                        + Suggestions.closest(upstreamName, upstreamNames).map(s -> " (did you mean '" + s + "'?)").orElse("")
                        + "; defined: " + (upstreamNames.isEmpty() ? "none" : String.join(", ", upstreamNames.stream().sorted().toList())));
            }
        };
        RouteAction action = PluginRegistry.withContextLoader(provided.plugin().classLoader(),
                () -> provided.factory().create(actionContext));
        if (action.shape() != shape) {
            throw actionNode.error("action '" + only.getKey() + "' of plugin " + provided.plugin().name()
                    + " consumes " + action.shape() + " traffic; this listener produces " + shape);
        }
        String actionMark = "plugin " + provided.plugin().name() + ", route " + mark;
        if (action instanceof StreamAction streamAction) {
            action = new TrackedStreamAction(streamAction, only.getKey(), actionMark,
                    provided.factory().style() == ExecutionStyle.BLOCKING);
        }
        return new RouteImpl(name, node.get("match"), chain, action);
    }

    private DefaultFilterChain filterChain(List<ConfigNode> filterNodes, TrafficShape shape, String routeMark) {
        List<DefaultFilterChain.Entry> entries = new ArrayList<>();
        List<Provided<FilterFactory>> factories = new ArrayList<>();
        List<ConfigNode> nodes = new ArrayList<>();
        for (ConfigNode filterNode : filterNodes) {
            Map.Entry<String, ConfigNode> only = oneKey(filterNode, "filter", registry.filterNames(shape));
            Provided<FilterFactory> provided = registry.filter(only.getKey(), shape).orElseThrow(() -> filterNode.error(
                    missingExtension("filter for " + shape.name().toLowerCase(Locale.ROOT) + " traffic",
                            only.getKey(), registry.filterNames(shape))));
            FilterFactory factory = provided.factory();
            Filter filter = PluginRegistry.withContextLoader(provided.plugin().classLoader(),
                    () -> factory.create(only.getValue(), provided.context()));
            if (filter.shape() != shape) {
                throw filterNode.error("filter '" + only.getKey() + "' of plugin " + provided.plugin().name()
                        + " created a filter for " + filter.shape() + " traffic; this listener produces " + shape
                        + " (plugin bug)");
            }
            boolean blocking = filter instanceof BlockingStreamFilter || filter instanceof BlockingHttpFilter;
            if (blocking != (factory.style() == ExecutionStyle.BLOCKING)) {
                throw filterNode.error("filter '" + only.getKey() + "' of plugin " + provided.plugin().name()
                        + " declares style " + factory.style() + " but created a"
                        + (blocking ? " blocking" : "n asynchronous") + " filter; refusing to run "
                        + (blocking ? "blocking code on an event loop" : "it") + " (plugin bug)");
            }
            entries.add(new DefaultFilterChain.Entry(only.getKey(), filter,
                    "plugin " + provided.plugin().name() + ", filter " + only.getKey() + ", route " + routeMark));
            factories.add(provided);
            nodes.add(filterNode);
        }
        for (int i = 0; i < factories.size(); i++) {
            FilterFactory factory = factories.get(i).factory();
            for (int j = 0; j < factories.size(); j++) {
                String other = factories.get(j).factory().name();
                if (j < i && factory.before().contains(other)) {
                    throw nodes.get(i).error("filter '" + factory.name() + "' must run before '" + other
                            + "' (declared by plugin " + factories.get(i).plugin().name() + "); move it up");
                }
                if (j > i && factory.after().contains(other)) {
                    throw nodes.get(i).error("filter '" + factory.name() + "' must run after '" + other
                            + "' (declared by plugin " + factories.get(i).plugin().name() + "); move it down");
                }
            }
        }
        return entries.isEmpty() ? DefaultFilterChain.EMPTY : new DefaultFilterChain(entries);
    }

    private static Map.Entry<String, ConfigNode> oneKey(ConfigNode node, String what, List<String> known) {
        if (!node.isMap() || node.keys().size() != 1) {
            throw node.error("expected a " + what + " as a one-key mapping such as {"
                    + (known.isEmpty() ? "name" : known.get(0)) + ": {...}}");
        }
        return node.entries().entrySet().iterator().next();
    }

    private String missingExtension(String what, String name, List<String> known) {
        String suggestion = Suggestions.closest(name, known).map(s -> " (did you mean '" + s + "'?)").orElse("");
        return "no loaded plugin provides " + what + " '" + name + "'" + suggestion
                + "; available: " + (known.isEmpty() ? "none" : String.join(", ", known))
                + "; loaded plugins: " + (registry.loadedNames().isEmpty() ? "none" : registry.loadedNames())
                + " (is plugins/" + name + "/ missing?)";
    }

    private void checkAddressClashes(ConfigNode root, Settings.Admin admin, Map<String, GatewayPlan.ListenerPlan> listeners) {
        Map<String, String> taken = new LinkedHashMap<>();
        if (admin.enabled() && admin.address().port() != 0) {
            taken.put(key(admin.address()), "admin");
        }
        for (GatewayPlan.ListenerPlan plan : listeners.values()) {
            if (plan.address().port() == 0) {
                continue;
            }
            String clash = null;
            for (Map.Entry<String, String> entry : taken.entrySet()) {
                if (clashes(entry.getKey(), key(plan.address()))) {
                    clash = entry.getValue();
                }
            }
            if (clash != null) {
                String other = clash;
                problems.add(root.get("listeners").get(plan.name()).get("address").error(plan.address()
                        + " is also used by " + (other.equals("admin") ? "the admin API" : "listener " + other)));
            } else {
                taken.put(key(plan.address()), plan.name());
            }
        }
    }

    private static String key(SocketAddress address) {
        return address.host() + "|" + address.port();
    }

    private static boolean clashes(String a, String b) {
        String[] x = a.split("\\|");
        String[] y = b.split("\\|");
        if (!x[1].equals(y[1])) {
            return false;
        }
        return x[0].equals(y[0]) || isWildcard(x[0]) || isWildcard(y[0]);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    /** The listener context handed to a plugin. */
    private record DefaultListenerContext(String name, SocketAddress address, ConfigNode options, int instances,
            Tags tags, PluginContext plugin) implements ListenerContext {
    }
}
