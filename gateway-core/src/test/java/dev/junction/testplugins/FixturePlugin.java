package dev.junction.testplugins;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.Plugin;
import dev.junction.spi.PluginContext;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.BlockingStreamFilter;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.filter.StreamFilter;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.Route;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.ConnectorFactory;
import dev.junction.spi.upstream.StreamConnector;
import dev.junction.spi.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A class-path plugin for configuration tests: a listener that binds nothing, a connector, a {@code forward} action
 * and filters with ordering constraints and execution styles, some deliberately wrong.
 */
public final class FixturePlugin implements Plugin {

    @Override
    public String name() {
        return "fixture";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public List<ListenerFactory> listenerFactories() {
        return List.of(new ListenerFactory() {
            @Override
            public String protocol() {
                return "fixture";
            }

            @Override
            public TrafficShape shape() {
                return TrafficShape.STREAM;
            }

            @Override
            public Listener create(ListenerContext context) {
                context.options().checkKeys("greeting");
                return new FixtureListener(context.address());
            }
        });
    }

    /** A listener that binds nothing and records what the host did with it. */
    public static final class FixtureListener implements Listener {
        private final SocketAddress address;
        private volatile List<Route> routes = List.of();
        private volatile boolean started;
        private volatile boolean stopped;

        FixtureListener(SocketAddress address) {
            this.address = address;
        }

        @Override
        public void routes(List<Route> routes) {
            for (Route route : routes) {
                route.match().checkKeys("tag");
            }
            this.routes = List.copyOf(routes);
        }

        /** Returns the routes installed last. */
        public List<Route> installedRoutes() {
            return routes;
        }

        @Override
        public Future<Void> start() {
            started = true;
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> stop(Duration drainTimeout) {
            stopped = true;
            return Future.succeededFuture();
        }

        /** Returns whether the host started this listener. */
        public boolean isStarted() {
            return started;
        }

        /** Returns whether the host stopped this listener. */
        public boolean isStopped() {
            return stopped;
        }

        @Override
        public long activeConnections() {
            return 0;
        }

        @Override
        public Optional<SocketAddress> boundAddress() {
            return started && !stopped ? Optional.of(address) : Optional.empty();
        }
    }

    @Override
    public List<ConnectorFactory> connectorFactories() {
        return List.of(new ConnectorFactory() {
            @Override
            public String protocol() {
                return "fixture";
            }

            @Override
            public Connector create(String upstreamName, ConfigNode options, PluginContext plugin) {
                options.checkKeys();
                return (StreamConnector) (endpoint, timeout) -> Future.<DuplexStream>failedFuture("not connected");
            }
        });
    }

    @Override
    public List<ActionFactory> actionFactories() {
        return List.of(new ActionFactory() {
            @Override
            public String name() {
                return "forward";
            }

            @Override
            public TrafficShape shape() {
                return TrafficShape.STREAM;
            }

            @Override
            public RouteAction create(ActionContext context) {
                context.config().checkKeys("upstream");
                Upstream upstream = context.upstream(context.config().get("upstream"));
                return (StreamAction) session -> upstream.acquire(dev.junction.spi.upstream.Selection.ANY).mapEmpty();
            }
        });
    }

    @Override
    public List<FilterFactory> filterFactories() {
        return List.of(
                filter("first", Set.of("second"), ExecutionStyle.ASYNC, false),
                filter("second", Set.of(), ExecutionStyle.ASYNC, false),
                filter("sloppy", Set.of(), ExecutionStyle.BLOCKING, false),
                filter("slow", Set.of(), ExecutionStyle.BLOCKING, true));
    }

    private static FilterFactory filter(String name, Set<String> before, ExecutionStyle style, boolean blocking) {
        return new FilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TrafficShape shape() {
                return TrafficShape.STREAM;
            }

            @Override
            public ExecutionStyle style() {
                return style;
            }

            @Override
            public Set<String> before() {
                return before;
            }

            @Override
            public Filter create(ConfigNode config, PluginContext plugin) {
                return blocking ? new BlockingStreamFilter() { } : new StreamFilter() { };
            }
        };
    }
}
