package dev.junction.plugin.tcp;

import dev.junction.spi.net.IpMatcher;

import dev.junction.plugin.tcp.ListenerMetrics.Rejection;
import dev.junction.plugin.tcp.TcpListenerFactory.TcpListenerOptions;
import dev.junction.spi.GatewayException;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterChain;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.route.Route;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.stream.DuplexStream;
import dev.junction.spi.stream.DuplexStreams;
import dev.junction.spi.task.TaskCancelledException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code tcp} listener: one Vert.x {@link NetServer} per event loop on a shared socket. Each accepted connection
 * gets a task scope, the first route whose {@code source} match fits, the route's filter chain and then its
 * {@link StreamAction}.
 */
final class TcpListener implements Listener {

    /** Ids for Vert.x's shared random ports ({@code port: 0} with several instances); unique per listener. */
    private static final AtomicInteger SHARED_PORT_IDS = new AtomicInteger(1_000_000);

    private final ListenerContext context;
    private final TcpListenerOptions options;
    private final ActiveGauges gauges;
    private final System.Logger logger;
    private final AtomicLong active = new AtomicLong();
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<NetServer> servers = new CopyOnWriteArrayList<>();
    private final Promise<Void> drained = Promise.promise();
    private final Promise<Void> allClosed = Promise.promise();
    private volatile CompiledRoute[] routes = new CompiledRoute[0];
    private volatile ListenerMetrics metrics;
    private volatile boolean stopping;
    private volatile String deploymentId;
    private Future<Void> startFuture;
    private Future<Void> stopFuture;

    TcpListener(ListenerContext context, TcpListenerOptions options, ActiveGauges gauges) {
        this.context = Objects.requireNonNull(context, "context");
        this.options = options;
        this.gauges = gauges;
        this.logger = context.plugin().logger();
    }

    /** A route compiled for fast matching; {@code sources} is null when the route matches every client. */
    record CompiledRoute(String name, IpMatcher sources, FilterChain filters, StreamAction action) {

        boolean matches(byte[] clientAddress) {
            return sources == null || sources.contains(clientAddress);
        }
    }

    String name() {
        return context.name();
    }

    PluginContext plugin() {
        return context.plugin();
    }

    ListenerMetrics metrics() {
        return metrics;
    }

    @Override
    public void routes(List<Route> routes) {
        Objects.requireNonNull(routes, "routes");
        CompiledRoute[] compiled = new CompiledRoute[routes.size()];
        for (int i = 0; i < compiled.length; i++) {
            compiled[i] = compile(routes.get(i));
        }
        this.routes = compiled; // one volatile write: a connection sees the old list or the new one, never a mix
    }

    private static CompiledRoute compile(Route route) {
        ConfigNode match = route.match();
        IpMatcher sources = null;
        if (!match.isMissing()) {
            Options.mapping(match, "source");
            ConfigNode source = match.get("source");
            if (!source.isMissing()) {
                sources = IpMatcher.parse(source);
                if (sources.isEmpty()) {
                    throw source.error("[] (expected: at least one CIDR; leave out match to match every client)");
                }
            }
        }
        if (!(route.action() instanceof StreamAction action)) {
            throw match.error("route '" + route.name() + "': action '" + route.action().describe() + "' handles "
                    + route.action().shape().name().toLowerCase(Locale.ROOT)
                    + " traffic (expected: a stream action, such as proxy, for a tcp listener)");
        }
        return new CompiledRoute(route.name(), sources, route.filters(), action);
    }

    CompiledRoute select(byte[] clientAddress) {
        for (CompiledRoute route : routes) {
            if (route.matches(clientAddress)) {
                return route;
            }
        }
        return null;
    }

    @Override
    public synchronized Future<Void> start() {
        if (startFuture != null || stopFuture != null) {
            return Future.failedFuture(new IllegalStateException("tcp: listener '" + name() + "' was already started"));
        }
        PluginContext plugin = context.plugin();
        metrics = new ListenerMetrics(plugin.meterRegistry(), context.tags(), gauges);
        SocketAddress address = context.address();
        int instances = Math.max(1, context.instances());
        // Port 0 binds a fresh port per server; Vert.x shares a random port between servers only through an id.
        SocketAddress bindAddress = address.port() == 0 && instances > 1
                ? SocketAddress.sharedRandomPort(SHARED_PORT_IDS.getAndIncrement(), address.host())
                : address;
        NetServerOptions serverOptions = new NetServerOptions()
                .setReuseAddress(true)
                .setAcceptBacklog(options.acceptBacklog())
                .setTcpNoDelay(options.tcpNoDelay())
                .setIdleTimeout((int) options.idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        startFuture = plugin.vertx()
                .deployVerticle(() -> new ServerVerticle(serverOptions, bindAddress),
                        new DeploymentOptions().setInstances(instances))
                .transform(result -> {
                    if (result.succeeded()) {
                        deploymentId = result.result();
                        return Future.succeededFuture();
                    }
                    servers.clear();
                    return Future.failedFuture(new GatewayException(GatewayException.Source.INTERNAL, false,
                            "tcp: listener '" + name() + "' cannot bind " + address + ": "
                                    + result.cause().getMessage(), result.cause()));
                });
        return startFuture;
    }

    /** One server per deployed instance, so each is owned by the instance's own event loop. */
    private final class ServerVerticle extends VerticleBase {
        private final NetServerOptions serverOptions;
        private final SocketAddress bindAddress;

        ServerVerticle(NetServerOptions serverOptions, SocketAddress bindAddress) {
            this.serverOptions = serverOptions;
            this.bindAddress = bindAddress;
        }

        @Override
        public Future<?> start() {
            NetServer server = vertx.createNetServer(serverOptions).connectHandler(TcpListener.this::accept);
            return server.listen(bindAddress).onSuccess(servers::add);
        }
    }

    private void accept(NetSocket socket) {
        // Must happen before the first byte is read, so a client's FIN half-closes instead of closing.
        DuplexStream stream = DuplexStreams.of(socket);
        stream.pause();
        ListenerMetrics meters = metrics;
        meters.accepted.increment();
        if (stopping) {
            socket.close();
            return;
        }
        long count = active.incrementAndGet();
        if (options.maxConnections() > 0 && count > options.maxConnections()) {
            active.decrementAndGet();
            meters.rejected(Rejection.LIMIT);
            socket.close();
            return;
        }
        meters.active.incrementAndGet();
        TcpConnection connection = new TcpConnection(this, stream);
        connections.add(connection);
        connection.open();
    }

    void rejected(Rejection rejection) {
        metrics.rejected(rejection);
    }

    void closed(TcpConnection connection, long durationNanos) {
        connections.remove(connection);
        metrics.duration.record(durationNanos, TimeUnit.NANOSECONDS);
        metrics.active.decrementAndGet();
        if (active.decrementAndGet() == 0 && stopping) {
            drained.tryComplete();
            allClosed.tryComplete();
        }
    }

    /** The one place where the failure of a connection is logged. */
    void logFailure(TcpConnection connection, Throwable failure) {
        if (connection.isClosed() && !(failure instanceof GatewayException)) {
            // A write racing the client's close: expected, and the connection is already accounted for.
            logger.log(Level.DEBUG, () -> "tcp: connection failed after the client left: " + failure);
            return;
        }
        String where = " (listener " + name() + ", route " + connection.routeName() + ", client "
                + connection.downstream().remoteAddress() + ")";
        if (failure instanceof TaskCancelledException) {
            logger.log(Level.DEBUG, () -> "tcp: connection cancelled: " + failure.getMessage() + where);
        } else if (failure instanceof GatewayException gateway) {
            Level level = gateway.source() == GatewayException.Source.INTERNAL ? Level.WARNING : Level.INFO;
            logger.log(level, () -> gateway.getMessage() + where);
        } else {
            logger.log(Level.WARNING, "tcp: connection failed" + where, failure);
        }
    }

    void logRejection(TcpConnection connection, String reason) {
        logger.log(Level.DEBUG, () -> "tcp: connection from " + connection.downstream().remoteAddress()
                + " closed: " + reason + " (listener " + name() + ")");
    }

    @Override
    public Future<Void> stop(Duration drainTimeout) {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        synchronized (this) {
            if (stopFuture != null) {
                return stopFuture;
            }
            stopping = true;
            Future<Void> started = startFuture == null ? Future.succeededFuture() : startFuture.otherwiseEmpty();
            stopFuture = started
                    .compose(v -> drain(drainTimeout))
                    .compose(v -> undeploy());
            return stopFuture;
        }
    }

    private Future<Void> drain(Duration drainTimeout) {
        Vertx vertx = context.plugin().vertx();
        long millis = Math.max(0, drainTimeout.toMillis());
        List<Future<Void>> shutdowns = new ArrayList<>();
        for (NetServer server : servers) {
            // Stops accepting at once; open connections are left to finish within the grace period.
            shutdowns.add(server.shutdown(millis, TimeUnit.MILLISECONDS));
        }
        servers.clear();
        long timer = millis == 0 ? -1 : vertx.setTimer(millis, id -> drained.tryComplete());
        if (millis == 0 || active.get() == 0) {
            drained.tryComplete();
        }
        if (active.get() == 0) {
            allClosed.tryComplete();
        }
        return drained.future().compose(v -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            TaskCancelledException cause = new TaskCancelledException("tcp: listener '" + name()
                    + "' stopped and its drain timeout of " + Options.format(drainTimeout) + " passed", false);
            for (TcpConnection connection : connections) {
                connection.scope().cancel(cause);
            }
            // Cancelled scopes close their sockets; wait for the close callbacks so activeConnections() reads 0.
            Future<Void> closed = allClosed.future().timeout(5, TimeUnit.SECONDS).otherwiseEmpty();
            return Future.join(closed, Future.join(shutdowns)).<Void>mapEmpty().otherwiseEmpty();
        });
    }

    private Future<Void> undeploy() {
        String id = deploymentId;
        deploymentId = null;
        if (id == null) {
            return Future.succeededFuture();
        }
        return context.plugin().vertx().undeploy(id).recover(failure -> {
            logger.log(Level.WARNING, "tcp: listener '" + name() + "': undeploying its servers failed", failure);
            return Future.succeededFuture();
        });
    }

    @Override
    public long activeConnections() {
        return active.get();
    }

    @Override
    public Optional<SocketAddress> boundAddress() {
        if (servers.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(SocketAddress.inetSocketAddress(servers.get(0).actualPort(), context.address().host()));
    }
}
