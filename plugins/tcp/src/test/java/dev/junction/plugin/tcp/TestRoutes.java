package dev.junction.plugin.tcp;

import dev.junction.testkit.TestConfig;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterChain;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.StreamFilter;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.PluginContext;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.Route;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.upstream.Upstream;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;

/** Hand-written routes, filter chains and contexts, as the host would build them. */
final class TestRoutes {

    private TestRoutes() {
    }

    record TestRoute(String name, ConfigNode match, FilterChain filters, RouteAction action) implements Route {
    }

    static Route route(String name, RouteAction action, StreamFilter... filters) {
        return new TestRoute(name, TestConfig.missing("listeners.test.routes[0].match"), chain(filters), action);
    }

    static Route route(String name, Map<String, Object> match, RouteAction action) {
        return new TestRoute(name, TestConfig.at("listeners.test.routes[0].match", match), chain(), action);
    }

    /** Runs stream filters in order and stops at the first that stops. */
    static FilterChain chain(StreamFilter... filters) {
        return new FilterChain() {
            @Override
            public List<String> names() {
                return List.of(filters).stream().map(f -> f.getClass().getSimpleName()).toList();
            }

            @Override
            public Future<FilterDecision> onConnection(StreamSession session) {
                return run(0, session);
            }

            private Future<FilterDecision> run(int index, StreamSession session) {
                if (index == filters.length) {
                    return Future.succeededFuture(FilterDecision.proceed());
                }
                return filters[index].onConnection(session)
                        .compose(decision -> decision.proceeds() ? run(index + 1, session) : Future.succeededFuture(decision));
            }
        };
    }

    record TestListenerContext(String name, SocketAddress address, ConfigNode options, int instances,
            PluginContext plugin) implements ListenerContext {
        @Override
        public Tags tags() {
            return Tags.of("listener", name);
        }
    }

    static ListenerContext listener(String name, Map<String, Object> options, int instances, PluginContext plugin) {
        return new TestListenerContext(name, SocketAddress.inetSocketAddress(0, "127.0.0.1"),
                TestConfig.at("listeners." + name + ".options", options), instances, plugin);
    }

    static ActionFactory.ActionContext actionContext(Map<String, Object> config, Upstream... upstreams) {
        ConfigNode node = TestConfig.at("listeners.test.routes[0].action.proxy", config);
        return new ActionFactory.ActionContext() {
            @Override
            public ConfigNode config() {
                return node;
            }

            @Override
            public Upstream upstream(ConfigNode upstreamNode) {
                String wanted = upstreamNode.asString();
                for (Upstream upstream : upstreams) {
                    if (upstream.name().equals(wanted)) {
                        return upstream;
                    }
                }
                throw upstreamNode.error("unknown upstream '" + wanted + "'");
            }
        };
    }
}
