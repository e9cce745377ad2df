package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterChain;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpAction;
import dev.junction.spi.http.HttpStatusException;
import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.route.Route;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@code http} listener: one Vert.x {@link HttpServer} per event loop on a shared socket, serving HTTP/1.1 and
 * HTTP/2 (h2c). Each request is checked against the limits, its path normalised, then handed to the first route that
 * matches: the route's request filters, its {@link HttpAction}, and the filters' response phase just before the
 * response head is written.
 */
final class HttpListener implements Listener {

    private static final AtomicInteger SHARED_PORT_IDS = new AtomicInteger(2_000_000);
    private static final Buffer NOT_FOUND = Buffer.buffer("404 Not Found: no route for this request\n");

    private final ListenerContext context;
    private final HttpListenerOptions options;
    /** The {@code Via} values this listener writes, per protocol version: {@code 1.1 junction}. */
    private final String via10;
    private final String via11;
    private final String via2;
    /** The {@code Via} field line of responses forwarded from HTTP/1.1 upstreams by the lane. */
    private final byte[] viaLine;
    private final byte[] viaLine10;
    private final System.Logger logger;
    private final AtomicLong active = new AtomicLong();
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private volatile CompiledRoute[] routes = new CompiledRoute[0];
    private volatile HttpListenerMetrics metrics;
    private volatile String deploymentId;
    private AccessLog accessLog;
    private Future<Void> startFuture;
    private Future<Void> stopFuture;

    HttpListener(ListenerContext context, HttpListenerOptions options) {
        this.context = Objects.requireNonNull(context, "context");
        this.options = options;
        this.logger = context.plugin().logger();
        this.via10 = "1.0 " + options.via();
        this.via11 = "1.1 " + options.via();
        this.via2 = "2 " + options.via();
        this.viaLine = ("via: " + via11 + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.viaLine10 = ("via: " + via10 + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A route compiled for matching, with per-route meters. */
    record CompiledRoute(String name, RouteMatch match, FilterChain filters, boolean hasFilters, HttpAction action,
            HttpListenerMetrics.RouteMeters meters) {

        /** Returns the proxy action when requests may take the {@link Http1Lane}: no filters, HTTP/1.1 upstreams. */
        ProxyAction lane() {
            return !hasFilters && action instanceof ProxyAction proxy && proxy.http1Only() ? proxy : null;
        }
    }

    String name() {
        return context.name();
    }

    PluginContext plugin() {
        return context.plugin();
    }

    HttpListenerOptions options() {
        return options;
    }

    /**
     * Returns the {@code Via} field line, with its CRLF, of a response from an HTTP/1.1 upstream, or from an HTTP/1.0
     * one when {@code http10} (RFC 9110 7.6.3: the protocol the gateway received the message with).
     */
    byte[] viaLine(boolean http10) {
        return http10 ? viaLine10 : viaLine;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    /** Counts a request the fast lane took on. */
    void laneRequestStarted() {
        active.incrementAndGet();
        metrics.fastPath.increment();
    }

    void requestEnded() {
        active.decrementAndGet();
    }

    /** Returns the {@code Via} value for a message received with {@code version}. */
    String via(HttpVersion version) {
        return version == HttpVersion.HTTP_2 ? via2 : version == HttpVersion.HTTP_1_0 ? via10 : via11;
    }

    @Override
    public void routes(List<Route> routes) {
        Objects.requireNonNull(routes, "routes");
        CompiledRoute[] compiled = new CompiledRoute[routes.size()];
        for (int i = 0; i < compiled.length; i++) {
            Route route = routes.get(i);
            RouteMatch match = RouteMatch.compile(route.match());
            if (!(route.action() instanceof HttpAction action)) {
                ConfigNode where = route.match();
                throw where.error("route '" + route.name() + "': action '" + route.action().describe() + "' handles "
                        + route.action().shape().name().toLowerCase(Locale.ROOT)
                        + " traffic (expected: an HTTP action, such as proxy, respond or echo, for an http listener)");
            }
            compiled[i] = new CompiledRoute(route.name(), match, route.filters(), !route.filters().names().isEmpty(),
                    action, null);
        }
        HttpListenerMetrics current = metrics;
        if (current != null) {
            compiled = current.bind(compiled);
        }
        this.routes = compiled; // one volatile write: a request sees the old list or the new one, never a mix
    }

    @Override
    public synchronized Future<Void> start() {
        if (startFuture != null || stopFuture != null) {
            return Future.failedFuture(new IllegalStateException("http: listener '" + name() + "' was already started"));
        }
        PluginContext plugin = context.plugin();
        metrics = new HttpListenerMetrics(plugin.meterRegistry(), context.tags(), active);
        routes = metrics.bind(routes);
        try {
            accessLog = AccessLog.open(options.accessLog(), name());
            if (accessLog != null) {
                AccessLog log = accessLog;
                HttpListenerMetrics.removeExisting(plugin.meterRegistry(), "junction.http.access.log.dropped",
                        context.tags());
                io.micrometer.core.instrument.FunctionCounter.builder("junction.http.access.log.dropped", log,
                                AccessLog::dropped)
                        .tags(context.tags())
                        .description("Access log lines dropped because the writer fell behind")
                        .register(plugin.meterRegistry());
            }
        } catch (GatewayException e) {
            startFuture = Future.failedFuture(e);
            return startFuture;
        }
        SocketAddress address = context.address();
        int instances = Math.max(1, context.instances());
        SocketAddress bindAddress = address.port() == 0 && instances > 1
                ? SocketAddress.sharedRandomPort(SHARED_PORT_IDS.getAndIncrement(), address.host())
                : address;
        HttpServerOptions serverOptions = serverOptions();
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
                            "http: listener '" + name() + "' cannot bind " + address + ": "
                                    + result.cause().getMessage(), result.cause()));
                });
        return startFuture;
    }

    private HttpServerOptions serverOptions() {
        HttpServerOptions server = new HttpServerOptions()
                .setReuseAddress(true)
                .setAcceptBacklog(options.acceptBacklog())
                .setTcpNoDelay(true)
                .setIdleTimeout((int) options.idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // The request line is method + URI + version: leave room for the longest method and the version.
                .setMaxInitialLineLength(options.maxUriLength() + 32)
                .setMaxHeaderSize(options.maxHeaderSize())
                .setHandle100ContinueAutomatically(true)
                .setHttp2ClearTextEnabled(options.h2c())
                .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(options.maxConcurrentStreams())
                        .setMaxHeaderListSize(options.maxHeaderSize()));
        return server;
    }

    /** One server per deployed instance, so each is owned by the instance's own event loop. */
    private final class ServerVerticle extends VerticleBase {
        private final HttpServerOptions serverOptions;
        private final SocketAddress bindAddress;
        ServerVerticle(HttpServerOptions serverOptions, SocketAddress bindAddress) {
            this.serverOptions = serverOptions;
            this.bindAddress = bindAddress;
        }

        @Override
        public Future<?> start() {
            HttpListenerMetrics meters = metrics;
            HttpServer server = Http1RequestGuard.createServer(vertx, serverOptions, options.maxHeaders(),
                            meters::rejected, options.requestHeaderTimeout(), meters.headerTimeouts::increment,
                            options.fastPath() ? HttpListener.this : null, meters.connections::increment)
                    .requestHandler(HttpListener.this::handle)
                    .invalidRequestHandler(HttpListener.this::invalidRequest);
            return server.listen(bindAddress).onSuccess(servers::add);
        }
    }

    private void invalidRequest(HttpServerRequest request) {
        // The decoder failed: a malformed head, too long a URI or head. Answer and close; nothing is routed.
        HttpListenerMetrics meters = metrics;
        Throwable failure = request.decoderResult().cause();
        int status = 400;
        if (failure instanceof TooLongHttpLineException) {
            status = 414;
        } else if (failure instanceof TooLongHttpHeaderException) {
            status = 431;
        }
        meters.rejected(status);
        HttpServerResponse response = request.response();
        response.setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close");
        response.end(Buffer.buffer(status + " " + HttpResponses.reason(status) + "\n"))
                .onComplete(v -> request.connection().close());
    }

    /** Routes one request; runs on its event loop. */
    void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        request.pause();
        if (!Http1RequestGuard.acceptHttp2(request)) {
            return;
        }
        HttpListenerMetrics meters = metrics;
        String uri = request.uri();
        if (uri.length() > options.maxUriLength()) {
            reject(request, 414, "request target longer than max-uri-length " + options.maxUriLength(), start);
            return;
        }
        if (request.version() == HttpVersion.HTTP_2 && fieldCount(request) > options.maxHeaders()) {
            // HTTP/1.x heads are counted by the request guard, before they are decoded.
            reject(request, 431, "too many header fields (max-headers " + options.maxHeaders() + ")", start);
            return;
        }
        if (options.maxBodySize() > 0) {
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && exceeds(length, options.maxBodySize())) {
                reject(request, 413, "body larger than max-body-size " + options.maxBodySize(), start);
                return;
            }
        }
        String rawPath = request.path();
        String path = rawPath == null ? null : PathNormalizer.normalize(rawPath);
        if (path == null) {
            if (request.method() == io.vertx.core.http.HttpMethod.OPTIONS && "*".equals(rawPath)) {
                request.response().putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
                return;
            }
            reject(request, 400, "invalid request path", start);
            return;
        }
        String host = host(request.authority());
        CompiledRoute route;
        try {
            route = select(request, host, path);
        } catch (IllegalArgumentException e) {
            reject(request, 400, "invalid query string: " + e.getMessage(), start);
            return;
        }
        DefaultHttpExchange exchange = new DefaultHttpExchange(this, request, host, path, start);
        closeWhenAsked(request);
        if (route == null) {
            meters.unrouted.increment();
            request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, HttpResponses.TEXT)
                    .end(NOT_FOUND.copy()).onComplete(v -> logOnly(exchange));
            return;
        }
        exchange.route(route);
        active.incrementAndGet();
        HttpServerResponse response = request.response();
        if (route.hasFilters()) {
            response.headersEndHandler(v -> exchange.prepareUntransformedResponseHead());
            Future<FilterDecision> decision = route.filters().onRequest(exchange);
            if (decision.isComplete()) {
                afterFilters(exchange, decision);
            } else {
                decision.onComplete(done -> afterFilters(exchange, done));
            }
        } else {
            run(exchange);
        }
    }

    /**
     * Closes an HTTP/1.x connection after this response when the client's {@code Connection} fields hold the
     * {@code close} option (RFC 9112 9.6): Vert.x does so only for a single field whose whole value is
     * {@code close}, not for the option in a list or in a second field.
     */
    private static void closeWhenAsked(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return;
        }
        if (request.getHeader(HttpHeaders.CONNECTION) == null) {
            return;
        }
        String options = ForwardedHeaders.connectionOptions(request.headers());
        if (options.equalsIgnoreCase("close") || !ForwardedHeaders.hasToken(options, "close")) {
            return;
        }
        HttpServerResponse response = request.response();
        response.putHeader(HttpHeaders.CONNECTION, "close");
        response.bodyEndHandler(v -> request.connection().close());
    }

    private static int fieldCount(HttpServerRequest request) {
        int[] count = {0};
        request.headers().forEach(entry -> count[0]++);
        return count[0];
    }

    /** Writes the access log line of a request that was answered before any route ran. */
    private void logOnly(DefaultHttpExchange exchange) {
        if (accessLog != null) {
            accessLog.write(exchange, exchange.response().getStatusCode(), System.nanoTime() - exchange.startNanos);
        }
    }

    private void afterFilters(DefaultHttpExchange exchange, io.vertx.core.AsyncResult<FilterDecision> decision) {
        HttpServerResponse response = exchange.response();
        if (decision.failed()) {
            finish(exchange, decision.cause());
            return;
        }
        if (decision.result().proceeds()) {
            run(exchange);
            return;
        }
        if (!response.headWritten() && !response.ended()) {
            HttpResponses.error(response, 403, null);
        }
        // The filter answered; once that response ends the exchange is complete.
        if (response.ended()) {
            finish(exchange, null);
        } else {
            response.endHandler(v -> finish(exchange, null));
            exchange.request().connection().closeHandler(v -> finish(exchange, null));
        }
    }

    private void run(DefaultHttpExchange exchange) {
        Future<Void> done;
        try {
            done = exchange.route().action().handle(exchange);
        } catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        if (done.isComplete()) {
            finish(exchange, done.cause());
        } else {
            done.onComplete(result -> finish(exchange, result.cause()));
        }
    }

    /** Ends an exchange: answers a failure that has not started a response, then logs and counts it once. */
    private void finish(DefaultHttpExchange exchange, Throwable failure) {
        if (exchange.finished) {
            return;
        }
        exchange.finished = true;
        HttpServerRequest request = exchange.request();
        HttpServerResponse response = request.response();
        boolean clientGone = false;
        if (failure != null) {
            if ((failure instanceof ClientGoneException || response.closed()) && !response.headWritten()) {
                // The client went away first: there is nobody to answer, and it is no failure of the gateway's.
                clientGone = true;
                exchange.failure = failure;
            } else if (!response.headWritten() && !response.ended()) {
                int status = HttpResponses.statusOf(failure);
                Future<Void> written = HttpResponses.error(response, status, failure instanceof HttpStatusException e
                        ? e.retryAfter().orElse(null) : null);
                if (request.version() != HttpVersion.HTTP_2
                        && "close".equalsIgnoreCase(response.headers().get(HttpHeaders.CONNECTION))) {
                    // Part of the request body is unread; the connection cannot carry another request.
                    written.onComplete(v -> request.connection().close());
                }
                exchange.failure = failure;
            } else if (!response.ended()) {
                response.reset();
                exchange.failure = failure;
            } else {
                exchange.failure = failure;
            }
            logFailure(exchange, failure);
        } else if (!response.ended()) {
            // An action that returned before ending its response: end it rather than leave the client hanging.
            if (!response.headWritten()) {
                HttpResponses.error(response, 500, null);
            } else {
                response.end();
            }
        }
        active.decrementAndGet();
        exchange.abandonResponseTransform();
        exchange.closeScope(response.closed());
        long nanos = System.nanoTime() - exchange.startNanos;
        int status = clientGone ? HttpResponses.CLIENT_CLOSED_REQUEST : response.getStatusCode();
        exchange.route().meters().record(status, nanos);
        if (accessLog != null) {
            accessLog.write(exchange, status, nanos);
        }
    }

    private void logFailure(DefaultHttpExchange exchange, Throwable failure) {
        logFailure(exchange.routeName(), exchange.request().method().name(), exchange.path(), failure);
    }

    /** Logs why a request failed: upstream failures at debug level, the gateway's own at warning. */
    void logFailure(String routeName, String method, String path, Throwable failure) {
        String where = " (listener " + name() + ", route " + routeName + ", " + method + " " + path + ")";
        if (failure instanceof GatewayException gateway) {
            Level level = gateway.source() == GatewayException.Source.INTERNAL
                    && !(failure instanceof HttpStatusException) ? Level.WARNING : Level.DEBUG;
            logger.log(level, () -> gateway.getMessage() + where);
        } else if (failure instanceof dev.junction.spi.task.TaskCancelledException) {
            logger.log(Level.DEBUG, () -> "http: request cancelled: " + failure.getMessage() + where);
        } else {
            logger.log(Level.WARNING, "http: request failed" + where, failure);
        }
    }

    private void reject(HttpServerRequest request, int status, String why, long start) {
        metrics.rejected(status);
        logger.log(Level.DEBUG, () -> "http: " + status + " for " + request.remoteAddress() + ": " + why
                + " (listener " + name() + ")");
        HttpServerResponse response = request.response();
        boolean close = request.version() != HttpVersion.HTTP_2;
        if (close) {
            // The unread body would be taken for the next request: close after answering.
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        DefaultHttpExchange exchange = new DefaultHttpExchange(this, request, host(request.authority()),
                String.valueOf(request.path()), start);
        response.endHandler(v -> {
            logOnly(exchange);
            if (close) {
                request.connection().close();
            }
        });
        HttpResponses.error(response, status, null);
    }

    private static boolean exceeds(String contentLength, long max) {
        try {
            return Long.parseLong(contentLength.trim()) > max;
        } catch (NumberFormatException e) {
            return false; // the request guard refuses invalid lengths before this
        }
    }

    static String host(HostAndPort authority) {
        if (authority == null) {
            return "";
        }
        String host = authority.host();
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return host.toLowerCase(Locale.ROOT);
            }
        }
        return host;
    }

    CompiledRoute select(HttpServerRequest request, String host, String path) {
        return select(request.method(), request.headers(), request.query(), host, path);
    }

    /** Returns the first route matching a request given by its parts, or null. */
    CompiledRoute select(io.vertx.core.http.HttpMethod method, io.vertx.core.MultiMap headers, String query,
            String host, String path) {
        for (CompiledRoute route : routes) {
            if (route.match().matches(method, headers, query, host, path)) {
                return route;
            }
        }
        return null;
    }

    @Override
    public Future<Void> stop(Duration drainTimeout) {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        synchronized (this) {
            if (stopFuture != null) {
                return stopFuture;
            }
            Future<Void> started = startFuture == null ? Future.succeededFuture() : startFuture.otherwiseEmpty();
            stopFuture = started
                    .compose(v -> drain(drainTimeout))
                    .compose(v -> undeploy())
                    .andThen(v -> {
                        if (accessLog != null) {
                            accessLog.close();
                        }
                    });
            return stopFuture;
        }
    }

    private Future<Void> drain(Duration drainTimeout) {
        long millis = Math.max(0, drainTimeout.toMillis());
        List<Future<Void>> shutdowns = new ArrayList<>();
        for (HttpServer server : servers) {
            // Stops accepting at once; HTTP/1.1 connections close after their current response, HTTP/2 ones get
            // a GOAWAY, and whatever is still open when the grace period ends is closed.
            shutdowns.add(server.shutdown(millis, TimeUnit.MILLISECONDS));
        }
        servers.clear();
        return Future.join(shutdowns).<Void>mapEmpty().otherwiseEmpty();
    }

    private Future<Void> undeploy() {
        String id = deploymentId;
        deploymentId = null;
        if (id == null) {
            return Future.succeededFuture();
        }
        return context.plugin().vertx().undeploy(id).recover(failure -> {
            logger.log(Level.WARNING, "http: listener '" + name() + "': undeploying its servers failed", failure);
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
