package dev.junction.plugin.tcp;

import dev.junction.spi.net.IpMatcher;

import dev.junction.plugin.tcp.UdpListenerFactory.UdpListenerOptions;
import dev.junction.spi.GatewayException;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.route.MessageAction;
import dev.junction.spi.route.MessageFlow;
import dev.junction.spi.route.Route;
import dev.junction.spi.task.TaskCancelledException;
import dev.junction.spi.task.TaskScope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code udp} listener: one datagram socket, and a session table that groups datagrams by client address into
 * {@link MessageFlow}s. A flow starts with a client's first datagram (routed by its {@code source}), and ends when
 * the client stays silent for {@code session-timeout}. Everything runs on the socket's event loop.
 */
final class UdpListener implements Listener {

    private final ListenerContext context;
    private final UdpListenerOptions options;
    private final Map<SocketAddress, Flow> flows = new HashMap<>();
    private final AtomicLong active = new AtomicLong();
    private AtomicLong activeGauge;
    private volatile CompiledRoute[] routes = new CompiledRoute[0];
    private Context eventLoop;
    private DatagramSocket socket;
    private long sweeper = -1;
    private Metrics metrics;
    private Future<Void> stopped;

    private final ActiveGauges gauges;

    UdpListener(ListenerContext context, UdpListenerOptions options, ActiveGauges gauges) {
        this.context = Objects.requireNonNull(context, "context");
        this.options = options;
        this.gauges = gauges;
    }

    private record CompiledRoute(String name, IpMatcher sources, MessageAction action) {
    }

    @Override
    public void routes(List<Route> routes) {
        CompiledRoute[] compiled = new CompiledRoute[routes.size()];
        for (int i = 0; i < compiled.length; i++) {
            Route route = routes.get(i);
            ConfigNode match = route.match();
            IpMatcher sources = null;
            if (!match.isMissing()) {
                Options.mapping(match, "source");
                if (!match.get("source").isMissing()) {
                    sources = IpMatcher.parse(match.get("source"));
                }
            }
            if (!(route.action() instanceof MessageAction action)) {
                throw match.error("route '" + route.name() + "': action '" + route.action().describe() + "' handles "
                        + route.action().shape().name().toLowerCase(Locale.ROOT)
                        + " traffic (expected: a message action, such as proxy, for a udp listener)");
            }
            compiled[i] = new CompiledRoute(route.name(), sources, action);
        }
        this.routes = compiled;
    }

    @Override
    public Future<Void> start() {
        Vertx vertx = context.plugin().vertx();
        metrics = new Metrics(context.plugin().meterRegistry(), context.tags());
        activeGauge = gauges.forListener(context.plugin().meterRegistry(), "junction.udp.sessions.active",
                "Open UDP flows of the listener", context.tags());
        eventLoop = vertx.getOrCreateContext();
        Promise<Void> started = Promise.promise();
        eventLoop.runOnContext(v -> {
            socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(true)
                    .setIpV6(context.address().host().contains(":")));
            socket.handler(this::receive);
            socket.listen(context.address().port(), context.address().host()).<Void>mapEmpty().onComplete(result -> {
                if (result.failed()) {
                    started.fail(new GatewayException(GatewayException.Source.INTERNAL, false, "udp: listener '"
                            + context.name() + "' cannot bind " + context.address() + ": "
                            + result.cause().getMessage(), result.cause()));
                    return;
                }
                long period = Math.max(100, options.sessionTimeout().toMillis() / 4);
                sweeper = vertx.setPeriodic(period, id -> expireIdleFlows());
                started.complete();
            });
        });
        return started.future();
    }

    private void receive(DatagramPacket packet) {
        SocketAddress sender = packet.sender();
        Buffer data = packet.data();
        metrics.received.increment();
        Flow flow = flows.get(sender);
        if (flow == null) {
            flow = open(sender);
            if (flow == null) {
                return;
            }
        }
        flow.deliver(data);
    }

    private Flow open(SocketAddress sender) {
        if (stopped != null) {
            return null;
        }
        if (flows.size() >= options.maxSessions()) {
            metrics.dropped("limit");
            return null;
        }
        byte[] address = IpMatcher.addressBytes(sender);
        CompiledRoute route = null;
        for (CompiledRoute candidate : routes) {
            if (candidate.sources() == null || candidate.sources().contains(address)) {
                route = candidate;
                break;
            }
        }
        if (route == null) {
            metrics.dropped("no-route");
            return null;
        }
        TaskScope scope = context.plugin().tasks().open(context.name() + " flow", Duration.ZERO);
        Flow flow = new Flow(sender, route.name(), scope);
        flows.put(sender, flow);
        active.incrementAndGet();
        activeGauge.incrementAndGet();
        metrics.sessions.increment();
        scope.whenDone().onComplete(done -> closed(flow));
        Future<Void> handled;
        try {
            handled = route.action().handle(flow);
        } catch (RuntimeException e) {
            handled = Future.failedFuture(e);
        }
        handled.onComplete(result -> {
            if (result.failed() && !(result.cause() instanceof TaskCancelledException)) {
                context.plugin().logger().log(Level.INFO, () -> "udp: flow from " + sender + " failed (listener "
                        + context.name() + ", route " + flow.routeName + "): " + result.cause().getMessage());
            }
            scope.close();
        });
        return flow;
    }

    private void closed(Flow flow) {
        if (flows.remove(flow.client, flow)) {
            active.decrementAndGet();
            activeGauge.decrementAndGet();
        }
    }

    private void expireIdleFlows() {
        long now = System.nanoTime();
        long timeout = options.sessionTimeout().toNanos();
        List<Flow> idle = new ArrayList<>();
        for (Flow flow : flows.values()) {
            if (now - flow.lastActive > timeout) {
                idle.add(flow);
            }
        }
        TaskCancelledException cause = new TaskCancelledException("udp: session timeout", true);
        for (Flow flow : idle) {
            flow.scope.cancel(cause);
        }
    }

    @Override
    public Future<Void> stop(Duration drainTimeout) {
        synchronized (this) {
            if (stopped != null) {
                return stopped;
            }
            stopped = Future.succeededFuture();
        }
        if (eventLoop == null) {
            return stopped;
        }
        // Datagram flows have no end of their own: stop receiving, then end every flow.
        Promise<Void> done = Promise.promise();
        eventLoop.runOnContext(v -> {
            if (sweeper >= 0) {
                context.plugin().vertx().cancelTimer(sweeper);
            }
            TaskCancelledException cause = new TaskCancelledException("udp: listener '" + context.name() + "' stopped", false);
            for (Flow flow : new ArrayList<>(flows.values())) {
                flow.scope.cancel(cause);
            }
            (socket == null ? Future.<Void>succeededFuture() : socket.close()).onComplete(done);
        });
        stopped = done.future();
        return stopped;
    }

    @Override
    public long activeConnections() {
        return active.get();
    }

    @Override
    public Optional<SocketAddress> boundAddress() {
        DatagramSocket bound = socket;
        if (bound == null || stopped != null) {
            return Optional.empty();
        }
        return Optional.of(SocketAddress.inetSocketAddress(bound.localAddress().port(), context.address().host()));
    }

    /** One client's datagrams. Confined to the listener's event loop. */
    private final class Flow implements MessageFlow {
        private final SocketAddress client;
        private final String routeName;
        private final TaskScope scope;
        private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
        private Handler<Buffer> handler;
        private long lastActive = System.nanoTime();

        Flow(SocketAddress client, String routeName, TaskScope scope) {
            this.client = client;
            this.routeName = routeName;
            this.scope = scope;
        }

        void deliver(Buffer data) {
            lastActive = System.nanoTime();
            if (handler != null) {
                handler.handle(data);
            } else if (queued.size() < options.queuedDatagrams()) {
                queued.add(data);
            } else {
                metrics.dropped("queue");
            }
        }

        @Override
        public String listenerName() {
            return context.name();
        }

        @Override
        public String routeName() {
            return routeName;
        }

        @Override
        public SocketAddress remoteAddress() {
            return client;
        }

        @Override
        public TaskScope scope() {
            return scope;
        }

        @Override
        public MessageFlow handler(Handler<Buffer> handler) {
            this.handler = handler;
            while (handler != null && !queued.isEmpty()) {
                handler.handle(queued.poll());
            }
            return this;
        }

        @Override
        public Future<Void> send(Buffer datagram) {
            lastActive = System.nanoTime();
            metrics.sent.increment();
            return socket.send(datagram, client.port(), client.host());
        }

        @Override
        public void recordBytes(long fromClient, long toClient) {
            metrics.bytesReceived.increment(fromClient);
            metrics.bytesSent.increment(toClient);
        }
    }

    /** The listener's meters, tagged {@code listener=<name>}. */
    private static final class Metrics {
        final Counter sessions;
        final Counter received;
        final Counter sent;
        final Counter bytesReceived;
        final Counter bytesSent;
        private final MeterRegistry registry;
        private final Tags tags;

        Metrics(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
            sessions = Counter.builder("junction.udp.sessions").tags(tags).description("UDP flows opened").register(registry);
            received = Counter.builder("junction.udp.datagrams.received").tags(tags)
                    .description("Datagrams read from clients").register(registry);
            sent = Counter.builder("junction.udp.datagrams.sent").tags(tags)
                    .description("Datagrams written to clients").register(registry);
            bytesReceived = Counter.builder("junction.udp.bytes.received").tags(tags)
                    .description("Bytes read from clients").register(registry);
            bytesSent = Counter.builder("junction.udp.bytes.sent").tags(tags)
                    .description("Bytes written to clients").register(registry);
        }

        void dropped(String reason) {
            Counter.builder("junction.udp.datagrams.dropped").tags(tags).tag("reason", reason)
                    .description("Datagrams dropped: no route, session limit, queue full").register(registry).increment();
        }
    }
}
