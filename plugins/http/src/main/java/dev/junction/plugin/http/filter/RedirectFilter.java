package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code redirect} filter: answers every request with a redirect whose {@code Location} is the request's URL
 * with the configured parts replaced. The path is the one the route forwards (after {@code rewrite} filters that
 * ran before), so a rewrite followed by a redirect moves a whole prefix.
 */
final class RedirectFilter implements HttpFilter {

    private static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);

    private final int status;
    private final String scheme;
    private final String host;
    private final int port;
    private final String path;
    private final boolean stripQuery;
    private final FilterDecision decision;

    RedirectFilter(int status, String scheme, String host, int port, String path, boolean stripQuery) {
        this.status = status;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.path = path;
        this.stripQuery = stripQuery;
        this.decision = FilterDecision.stop("redirect");
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("redirect", (config, plugin) -> create(config));
    }

    static RedirectFilter create(ConfigNode config) {
        Config.mapping(config, "status", "scheme", "host", "port", "path", "strip-query");
        ConfigNode statusNode = config.get("status");
        int status = statusNode.asInt(302);
        if (!STATUSES.contains(status)) {
            throw statusNode.error(status + " (expected: 301, 302, 303, 307 or 308)");
        }
        ConfigNode schemeNode = config.get("scheme");
        String scheme = schemeNode.isMissing() ? null : schemeNode.asString().toLowerCase(Locale.ROOT);
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            throw schemeNode.error('"' + scheme + "\" (expected: http or https)");
        }
        ConfigNode hostNode = config.get("host");
        String host = hostNode.isMissing() ? null : hostNode.asString().toLowerCase(Locale.ROOT);
        if (host != null && !validHost(host)) {
            throw hostNode.error('"' + host + "\" (expected: a host name or IP address without port, such as example.org)");
        }
        ConfigNode portNode = config.get("port");
        int port = portNode.isMissing() ? 0 : Config.intRange(portNode, 0, 1, 65535);
        ConfigNode pathNode = config.get("path");
        String path = pathNode.isMissing() ? null : pathNode.asString();
        if (path != null && (!path.startsWith("/") || !validPath(path))) {
            throw pathNode.error('"' + path + "\" (expected: an absolute path such as /new, without query or spaces)");
        }
        boolean stripQuery = config.get("strip-query").asBoolean(false);
        if (scheme == null && host == null && port == 0 && path == null && !stripQuery) {
            throw config.error("no change (expected: at least one of scheme, host, port, path, strip-query)");
        }
        return new RedirectFilter(status, scheme, host, port, path, stripQuery);
    }

    private static boolean validHost(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            return host.length() > 2 && host.substring(1, host.length() - 1).chars()
                    .allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        return !host.isEmpty() && host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.');
    }

    private static boolean validPath(String path) {
        return path.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '?' && c != '#');
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        exchange.response().headers().set("location", location(exchange.scheme(), exchange.host(), exchange.path(),
                exchange.query()));
        return exchange.respond(status, null, Buffer.buffer()).transform(ignored -> Future.succeededFuture(decision));
    }

    /** Returns the {@code Location} for a request to {@code requestHost} ({@code host[:port]}). */
    String location(String requestScheme, String requestHost, String requestPath, String query) {
        String targetScheme = scheme != null ? scheme : requestScheme;
        String requestName = requestHost;
        int requestPort = 0;
        int colon = requestHost.lastIndexOf(':');
        if (colon > requestHost.lastIndexOf(']')) {
            requestName = requestHost.substring(0, colon);
            try {
                requestPort = Integer.parseInt(requestHost.substring(colon + 1));
            } catch (NumberFormatException e) {
                requestPort = 0;
            }
        }
        String targetHost = host != null ? host : requestName;
        int targetPort;
        if (port != 0) {
            targetPort = port;
        } else if (scheme != null && !scheme.equals(requestScheme)) {
            targetPort = 0; // a new scheme gets its default port, not the port of the old one
        } else {
            targetPort = host != null ? 0 : requestPort;
        }
        boolean defaultPort = (targetScheme.equals("http") && targetPort == 80)
                || (targetScheme.equals("https") && targetPort == 443);
        StringBuilder location = new StringBuilder(64).append(targetScheme).append("://").append(targetHost);
        if (targetPort != 0 && !defaultPort) {
            location.append(':').append(targetPort);
        }
        location.append(path != null ? path : requestPath);
        if (!stripQuery && query != null) {
            location.append('?').append(query);
        }
        return location.toString();
    }
}
