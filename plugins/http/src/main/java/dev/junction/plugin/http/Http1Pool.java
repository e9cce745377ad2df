package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.upstream.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.resolver.NameResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The HTTP/1.1 connections of one connector on one event loop, per endpoint: kept alive and reused, at most
 * {@code max-connections-per-endpoint} open, callers queued beyond that. A request and its upstream connection
 * always share the event loop, and a request costs no more than writing its head and reading the answer: this is
 * the proxy's hot path, so it writes and reads HTTP/1.1 bytes itself rather than through a general-purpose client.
 * Confined to its event loop.
 */
final class Http1Pool {

    /** The longest response head accepted from an upstream. */
    private static final int MAX_RESPONSE_HEAD = 65_536;

    private final String upstreamName;
    private final EventLoop loop;
    private final ChannelFactory<? extends Channel> channelFactory;
    private final NameResolver resolver;
    private final HttpConnectorOptions options;
    private final long keepAliveNanos;
    private final Map<Endpoint, EndpointPool> endpoints = new HashMap<>();
    private boolean closed;
    private boolean sweepScheduled;

    Http1Pool(String upstreamName, EventLoop loop, ChannelFactory<? extends Channel> channelFactory,
            NameResolver resolver, HttpConnectorOptions options) {
        this.upstreamName = upstreamName;
        this.loop = loop;
        this.channelFactory = channelFactory;
        this.resolver = resolver;
        this.options = options;
        this.keepAliveNanos = options.keepAliveTimeout().toNanos();
    }

    /** Returns the socket address of an IP-literal endpoint, or null for a host name. */
    static InetSocketAddress literalAddress(Endpoint endpoint) {
        byte[] ip = dev.junction.spi.net.IpMatcher.parseLiteral(endpoint.host());
        if (ip == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), endpoint.port());
        } catch (UnknownHostException e) {
            return null; // not reached: the address has a valid length
        }
    }

    /** Takes a connection to {@code endpoint} and starts a request on it. */
    Future<UpstreamRequest> request(Endpoint endpoint, HttpMethod method, String uri, ContextInternal context) {
        return connection(endpoint, context).map(connected -> connected.begin(method, uri, context));
    }

    /**
     * Takes an idle connection to {@code endpoint}, or opens one (resolving a host name each time it connects).
     * Call on this pool's event loop.
     */
    Future<Http1Connection> connection(Endpoint endpoint, ContextInternal context) {
        EndpointPool pool = endpoints.get(endpoint);
        if (pool == null) {
            pool = new EndpointPool(endpoint);
            endpoints.put(endpoint, pool);
        }
        return pool.acquire(context);
    }

    /** Closes idle connections older than the keep-alive timeout, every half timeout while any are idle. */
    private void scheduleSweep() {
        if (!sweepScheduled && !closed) {
            sweepScheduled = true;
            loop.schedule(this::sweepIdle, Math.max(1, keepAliveNanos / 2), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void sweepIdle() {
        sweepScheduled = false;
        long now = System.nanoTime();
        boolean anyIdle = false;
        for (EndpointPool pool : endpoints.values()) {
            anyIdle |= pool.closeExpired(now);
        }
        if (anyIdle) {
            scheduleSweep();
        }
    }

    /** Closes every connection; later requests fail. */
    void close() {
        closed = true;
        for (EndpointPool pool : endpoints.values()) {
            pool.closeAll();
        }
        endpoints.clear();
    }

    /** The connections to one endpoint. */
    final class EndpointPool {
        private final Endpoint endpoint;
        /** The address of an IP-literal endpoint; null for a host name, resolved at each connect. */
        private final InetSocketAddress address;
        private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
        private final ArrayDeque<Promise<Http1Connection>> waiters = new ArrayDeque<>();
        private int open;

        EndpointPool(Endpoint endpoint) {
            this.endpoint = endpoint;
            this.address = literalAddress(endpoint);
        }

        Future<Http1Connection> acquire(ContextInternal context) {
            if (closed) {
                return context.failedFuture(new GatewayException(GatewayException.Source.INTERNAL, true,
                        "http: upstream " + upstreamName + ": connector closed"));
            }
            long now = System.nanoTime();
            Http1Connection connection;
            while ((connection = idle.pollLast()) != null) {
                if (connection.reusable(now, keepAliveNanos)) {
                    return context.succeededFuture(connection);
                }
                connection.close();
            }
            Promise<Http1Connection> promise = context.promise();
            if (open < options.maxConnectionsPerEndpoint()) {
                connect(promise);
            } else {
                waiters.addLast(promise);
            }
            return promise.future();
        }

        private void connect(Promise<Http1Connection> promise) {
            open++;
            Http1Connection connection = new Http1Connection(this, MAX_RESPONSE_HEAD);
            Bootstrap bootstrap = new Bootstrap()
                    .group(loop)
                    .channelFactory(channelFactory)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                    .handler(connection);
            if (address != null) {
                connect(bootstrap, address, connection, promise);
                return;
            }
            resolver.resolve(endpoint.host()).onComplete(resolved -> loop.execute(() -> {
                if (resolved.succeeded()) {
                    connect(bootstrap, new InetSocketAddress(resolved.result(), endpoint.port()), connection, promise);
                } else {
                    connectFailed(promise, new GatewayException(GatewayException.Source.UPSTREAM, true,
                            "cannot resolve " + endpoint.host() + ": " + resolved.cause().getMessage(),
                            resolved.cause()));
                }
            }));
        }

        private void connect(Bootstrap bootstrap, InetSocketAddress to, Http1Connection connection,
                Promise<Http1Connection> promise) {
            ChannelFuture connecting = bootstrap.connect(to);
            connecting.addListener(done -> {
                if (done.isSuccess()) {
                    promise.tryComplete(connection);
                } else {
                    connectFailed(promise, done.cause());
                }
            });
        }

        private void connectFailed(Promise<Http1Connection> promise, Throwable cause) {
            open--;
            promise.tryFail(cause);
            serveWaiter();
        }

        /** Takes back a connection whose exchange is complete. */
        void release(Http1Connection connection, boolean reusable) {
            if (!reusable || closed) {
                connection.close();
                return;
            }
            Promise<Http1Connection> waiter = waiters.pollFirst();
            if (waiter != null) {
                waiter.tryComplete(connection);
            } else {
                idle.addLast(connection);
                scheduleSweep();
            }
        }

        /** Closes the idle connections past the keep-alive timeout; returns whether any stay idle. */
        boolean closeExpired(long now) {
            // The oldest are at the front: connections are taken from and returned to the back.
            Http1Connection oldest;
            while ((oldest = idle.peekFirst()) != null && !oldest.reusable(now, keepAliveNanos)) {
                idle.pollFirst();
                oldest.close();
            }
            return !idle.isEmpty();
        }

        /** Forgets a connection that closed. */
        void closed(Http1Connection connection) {
            idle.remove(connection);
            open--;
            serveWaiter();
        }

        private void serveWaiter() {
            if (!waiters.isEmpty() && open < options.maxConnectionsPerEndpoint() && !closed) {
                connect(waiters.pollFirst());
            }
        }

        void closeAll() {
            Http1Connection connection;
            while ((connection = idle.pollFirst()) != null) {
                connection.close();
            }
            Promise<Http1Connection> waiter;
            while ((waiter = waiters.pollFirst()) != null) {
                waiter.tryFail(new GatewayException(GatewayException.Source.INTERNAL, true,
                        "http: upstream " + upstreamName + ": connector closed"));
            }
        }
    }
}
