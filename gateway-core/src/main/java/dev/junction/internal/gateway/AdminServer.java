package dev.junction.internal.gateway;

import dev.junction.internal.config.ConfigValidationException;
import dev.junction.internal.config.YamlConfigNode;
import dev.junction.internal.plugin.LoadedPlugin;
import dev.junction.spi.config.ConfigException;
import dev.junction.spi.upstream.EndpointStatus;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The admin API: health, readiness, Prometheus metrics, effective configuration (secrets redacted), plugins,
 * listeners, upstreams with endpoint health, reload, and a dashboard page. Read-only endpoints are open to whoever
 * can reach the address (loopback by default); {@code POST /reload} needs the configured bearer token and is off
 * without one.
 */
final class AdminServer {

    private static final System.Logger LOG = System.getLogger("junction.admin");
    private static final String JSON = "application/json";

    private final VertxInternal vertx;
    private final Gateway gateway;
    private final String dashboard = loadDashboard();
    private HttpServer server;
    private Settings.Admin settings;

    AdminServer(VertxInternal vertx, Gateway gateway) {
        this.vertx = vertx;
        this.gateway = gateway;
    }

    Future<Void> start(Settings.Admin settings) {
        this.settings = settings;
        if (!settings.enabled()) {
            return Future.succeededFuture();
        }
        HttpServer created = vertx.createHttpServer(new HttpServerOptions()
                .setMaxInitialLineLength(1024).setMaxHeaderSize(8192).setIdleTimeout(60)
                // HTTP/1.1 only: nothing here gains from HTTP/2, and clients that try an h2c upgrade stay on 1.1.
                .setHttp2ClearTextEnabled(false));
        created.requestHandler(this::handle);
        return created.listen(settings.address().port(), settings.address().host())
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException(
                        "admin API could not bind " + settings.address() + ": " + e.getMessage(), e)))
                .mapEmpty();
    }

    Future<Void> stop() {
        HttpServer running = server;
        server = null;
        return running == null ? Future.succeededFuture() : running.close();
    }

    Optional<SocketAddress> boundAddress() {
        HttpServer running = server;
        return running == null ? Optional.empty()
                : Optional.of(SocketAddress.inetSocketAddress(running.actualPort(), settings.address().host()));
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        boolean get = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD;
        try {
            switch (path) {
                case "/health" -> requireGet(request, get, () -> json(request, 200, new JsonObject().put("status", "up")));
                case "/ready" -> requireGet(request, get, () -> json(request, gateway.ready() ? 200 : 503,
                        new JsonObject().put("ready", gateway.ready())));
                case "/metrics" -> requireGet(request, get, () -> request.response()
                        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(gateway.metrics().scrape()));
                case "/config" -> requireGet(request, get, () -> json(request, 200, config()));
                case "/plugins" -> requireGet(request, get, () -> json(request, 200, plugins()));
                case "/listeners" -> requireGet(request, get, () -> json(request, 200, listeners()));
                case "/upstreams" -> requireGet(request, get, () -> json(request, 200, upstreams()));
                case "/reload" -> reload(request);
                case "/" -> requireGet(request, get, () -> request.response()
                        .putHeader("content-type", "text/html; charset=utf-8").end(dashboard));
                default -> json(request, 404, new JsonObject().put("error", "not found")
                        .put("endpoints", new JsonArray().add("/health").add("/ready").add("/metrics").add("/config")
                                .add("/plugins").add("/listeners").add("/upstreams").add("POST /reload").add("/")));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "admin API " + path + " failed", e);
            json(request, 500, new JsonObject().put("error", "internal error"));
        }
    }

    private static void requireGet(HttpServerRequest request, boolean get, Runnable handler) {
        if (!get) {
            request.response().putHeader("allow", "GET, HEAD");
            json(request, 405, new JsonObject().put("error", "method not allowed"));
            return;
        }
        handler.run();
    }

    private void reload(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            request.response().putHeader("allow", "POST");
            json(request, 405, new JsonObject().put("error", "method not allowed; use POST"));
            return;
        }
        if (settings.token().isEmpty()) {
            json(request, 403, new JsonObject().put("error",
                    "reload through the admin API is off: set admin.token or JUNCTION_ADMIN_TOKEN"));
            return;
        }
        String header = request.getHeader("authorization");
        if (header == null || !header.startsWith("Bearer ") || !MessageDigest.isEqual(
                header.substring(7).getBytes(StandardCharsets.UTF_8),
                settings.token().get().getBytes(StandardCharsets.UTF_8))) {
            request.response().putHeader("www-authenticate", "Bearer");
            json(request, 401, new JsonObject().put("error", "missing or wrong bearer token"));
            return;
        }
        gateway.reload("admin API").onComplete(result -> {
            if (result.succeeded()) {
                json(request, 200, new JsonObject().put("reloaded", true));
                return;
            }
            Throwable cause = result.cause();
            JsonArray errors = new JsonArray();
            if (cause instanceof ConfigValidationException invalid) {
                invalid.problems().forEach(p -> errors.add(p.getMessage()));
            } else if (cause instanceof ConfigException problem) {
                errors.add(problem.getMessage());
            } else {
                errors.add(String.valueOf(cause.getMessage()));
            }
            json(request, cause instanceof ConfigException || cause instanceof ConfigValidationException ? 400 : 500,
                    new JsonObject().put("reloaded", false).put("errors", errors));
        });
    }

    private JsonObject config() {
        GatewayPlan plan = gateway.currentPlan();
        Object redacted = plan.root() instanceof YamlConfigNode yaml ? yaml.unwrapRedacted() : "<unavailable>";
        JsonObject chains = new JsonObject();
        plan.listeners().values().forEach(listener -> {
            JsonObject routes = new JsonObject();
            listener.routes().forEach(route -> routes.put(route.name(), new JsonObject()
                    .put("filters", new JsonArray(route.filters().names()))
                    .put("action", route.action().describe())));
            chains.put(listener.name(), routes);
        });
        Object config = redacted instanceof java.util.Map<?, ?> map ? new JsonObject(castMap(map)) : redacted;
        return new JsonObject().put("config", config).put("effective-routes", chains);
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> castMap(java.util.Map<?, ?> map) {
        return (java.util.Map<String, Object>) map;
    }

    private JsonArray plugins() {
        JsonArray array = new JsonArray();
        for (LoadedPlugin plugin : gateway.registry().plugins()) {
            array.add(new JsonObject().put("name", plugin.name()).put("version", plugin.plugin().version())
                    .put("spi-version", plugin.plugin().spiVersion()).put("origin", plugin.origin())
                    .put("provides", new JsonArray(gateway.registry().provides(plugin.name()))));
        }
        return array;
    }

    private JsonArray listeners() {
        JsonArray array = new JsonArray();
        for (GatewayPlan.ListenerPlan plan : gateway.currentPlan().listeners().values()) {
            JsonArray routes = new JsonArray();
            plan.routes().forEach(route -> routes.add(new JsonObject().put("name", route.name())
                    .put("filters", new JsonArray(route.filters().names())).put("action", route.action().describe())));
            array.add(new JsonObject().put("name", plan.name()).put("protocol", plan.protocol())
                    .put("address", plan.listener().boundAddress().map(Object::toString).orElse(plan.address().toString()))
                    .put("active-connections", plan.listener().activeConnections())
                    .put("plugin", plan.provider().plugin().name())
                    .put("routes", routes));
        }
        return array;
    }

    private JsonArray upstreams() {
        JsonArray array = new JsonArray();
        for (GatewayPlan.UpstreamPlan plan : gateway.currentPlan().upstreams().values()) {
            JsonArray endpoints = new JsonArray();
            for (EndpointStatus status : plan.upstream().endpoints()) {
                endpoints.add(new JsonObject().put("address", status.endpoint().toString())
                        .put("weight", status.endpoint().weight())
                        .put("healthy", status.healthy()).put("ejected", status.ejected())
                        .put("available", status.available()).put("active", status.active())
                        .put("consecutive-failures", status.consecutiveFailures()));
            }
            array.add(new JsonObject().put("name", plan.name()).put("protocol", plan.upstream().protocol())
                    .put("load-balancer", plan.upstream().settings().loadBalancer().name()
                            .toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                    .put("endpoints", endpoints));
        }
        return array;
    }

    /** Reads the dashboard page once, at construction, so that no request reads the class path on an event loop. */
    private static String loadDashboard() {
        try (InputStream in = AdminServer.class.getResourceAsStream("/dev/junction/admin/dashboard.html")) {
            return in == null ? "<!doctype html><title>Junction</title><p>dashboard missing"
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<!doctype html><title>Junction</title><p>dashboard unreadable";
        }
    }

    private static void json(HttpServerRequest request, int status, Object body) {
        String text = body instanceof JsonObject object ? object.encodePrettily() : ((JsonArray) body).encodePrettily();
        request.response().setStatusCode(status).putHeader("content-type", JSON).end(text + "\n");
    }
}
