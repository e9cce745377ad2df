package dev.junction.internal.gateway;

import dev.junction.internal.plugin.PluginRegistry;
import dev.junction.internal.upstream.DefaultUpstream;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.route.Route;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A validated configuration turned into unstarted objects: what a start or reload applies. Building one has no side
 * effects, so a plan that is never applied costs nothing.
 */
record GatewayPlan(ConfigNode root, Settings.Admin admin, Settings.Runtime runtime,
        Map<String, UpstreamPlan> upstreams, Map<String, ListenerPlan> listeners) {

    /**
     * One upstream.
     *
     * @param definition the plain configuration, compared across reloads
     * @param reused whether the instance is the running one, kept because its definition did not change
     */
    record UpstreamPlan(String name, Object definition, DefaultUpstream upstream, boolean reused) {
    }

    /**
     * One listener.
     *
     * @param definition protocol, address and options, compared across reloads
     */
    record ListenerPlan(String name, String protocol, SocketAddress address, Object definition, Listener listener,
            List<Route> routes, PluginRegistry.Provided<?> provider) {

        /** Returns this plan served by {@code running}, the unchanged listener kept from the previous plan. */
        ListenerPlan servedBy(Listener running) {
            return new ListenerPlan(name, protocol, address, definition, running, routes, provider);
        }
    }

    /** Returns this plan with {@code effective} listeners. */
    GatewayPlan withListeners(Map<String, ListenerPlan> effective) {
        return new GatewayPlan(root, admin, runtime, upstreams, effective);
    }
}
