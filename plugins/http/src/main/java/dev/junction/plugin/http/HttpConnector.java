package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.PluginContext;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.Connector;
import dev.junction.spi.upstream.Endpoint;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code http} connector of one upstream: HTTP/1.1 connections pooled per event loop ({@link Http1Pool}), or for
 * h2c a Vert.x HTTP client per event loop, so a request and the upstream connection it uses always share a thread;
 * health probes go through a separate client.
 */
final class HttpConnector implements Connector {

    private final String upstreamName;
    private final HttpConnectorOptions options;
    private final PluginContext plugin;
    private final Map<EventLoop, HttpClientAgent> clients = new ConcurrentHashMap<>();
    private final Map<EventLoop, Http1Pool> pools = new ConcurrentHashMap<>();
    private volatile HttpClientAgent probeClient;
    private volatile boolean closed;

    HttpConnector(String upstreamName, HttpConnectorOptions options, PluginContext plugin) {
        this.upstreamName = upstreamName;
        this.options = options;
        this.plugin = plugin;
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    /**
     * Starts a request to {@code endpoint} from the caller's event loop: over this loop's pooled HTTP/1.1
     * connections, or Vert.x's client for h2c and for endpoints given by host name.
     */
    Future<UpstreamRequest> request(Endpoint endpoint, HttpMethod method, String uri) {
        ContextInternal context = ContextInternal.current();
        if (!options.http2() && context != null && context.nettyEventLoop() != null) {
            Http1Pool pool = pool(context.nettyEventLoop());
            if (pool == null) {
                return Future.failedFuture(new GatewayException(GatewayException.Source.INTERNAL, true,
                        "http: upstream " + upstreamName + ": connector closed"));
            }
            return pool.request(endpoint, method, uri, context);
        }
        RequestOptions request = new RequestOptions()
                .setServer(endpoint.address())
                .setMethod(method)
                .setURI(uri);
        return client().request(request).map(VertxUpstreamRequest::new);
    }

    /** Returns whether requests go upstream over HTTP/1.1 connections of this connector's own pools. */
    boolean http1() {
        return !options.http2();
    }

    /**
     * Returns the HTTP/1.1 connections of {@code loop}, creating the pool on first use; null once the connector
     * closed.
     */
    Http1Pool pool(EventLoop loop) {
        Http1Pool pool = pools.get(loop);
        if (pool == null) {
            if (closed) {
                return null;
            }
            VertxInternal vertx = (VertxInternal) plugin.vertx();
            pool = pools.computeIfAbsent(loop, key -> new Http1Pool(upstreamName, key,
                    vertx.transport().channelFactory(false), vertx.nameResolver(), options));
        }
        return pool;
    }

    /** Returns the client of the caller's event loop, creating it on first use. */
    HttpClientAgent client() {
        ContextInternal context = ContextInternal.current();
        EventLoop loop = context == null ? null : context.nettyEventLoop();
        if (loop == null) {
            return probeClient();
        }
        HttpClientAgent client = clients.get(loop);
        if (client == null) {
            client = clients.computeIfAbsent(loop, key -> newClient(options.maxConnectionsPerEndpoint()));
        }
        return client;
    }

    private HttpClientAgent newClient(int poolSize) {
        if (closed) {
            throw new GatewayException(GatewayException.Source.INTERNAL, true,
                    "http: upstream " + upstreamName + ": connector closed");
        }
        HttpClientOptions clientOptions = new HttpClientOptions()
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) Math.max(1, options.keepAliveTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setMaxInitialLineLength(65_536)
                .setMaxHeaderSize(65_536)
                .setProtocolVersion(options.http2() ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1)
                .setHttp2ClearTextUpgrade(false)
                .setHttp2KeepAliveTimeout((int) Math.max(1, options.keepAliveTimeout().toSeconds()));
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(poolSize)
                .setHttp2MaxSize(1)
                .setEventLoopSize(0);
        return plugin.vertx().httpClientBuilder().with(clientOptions).with(pool).build();
    }

    private HttpClientAgent probeClient() {
        HttpClientAgent client = probeClient;
        if (client == null) {
            synchronized (this) {
                if (probeClient == null) {
                    probeClient = newClient(4);
                }
                client = probeClient;
            }
        }
        return client;
    }

    @Override
    public Future<Void> probe(Endpoint endpoint, Duration timeout) {
        RequestOptions request = new RequestOptions()
                .setServer(endpoint.address())
                .setMethod(HttpMethod.GET)
                .setURI(options.healthPath())
                .setHost(options.healthHost().isEmpty() ? endpoint.host() : options.healthHost())
                .setPort(endpoint.port())
                .setConnectTimeout(timeout.toMillis())
                .setTimeout(timeout.toMillis())
                .putHeader("user-agent", "junction-health-check");
        return probeClient().request(request)
                .compose(req -> req.send())
                .compose(response -> response.body().map(body -> response))
                .compose(this::checkStatus);
    }

    private Future<Void> checkStatus(HttpClientResponse response) {
        if (options.healthy(response.statusCode())) {
            return Future.succeededFuture();
        }
        return Future.failedFuture(new GatewayException(GatewayException.Source.UPSTREAM, false,
                "http: health check " + options.healthPath() + " answered " + response.statusCode()));
    }

    @Override
    public Future<Void> close() {
        closed = true;
        List<Future<Void>> closing = new ArrayList<>();
        pools.forEach((loop, pool) -> loop.execute(pool::close));
        pools.clear();
        clients.values().forEach(client -> closing.add(client.close()));
        clients.clear();
        HttpClientAgent probe = probeClient;
        if (probe != null) {
            closing.add(probe.close());
        }
        return Future.join(closing).mapEmpty();
    }
}
