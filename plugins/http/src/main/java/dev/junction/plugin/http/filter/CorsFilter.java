package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code cors} filter, after the Fetch standard: answers preflight requests ({@code OPTIONS} with
 * {@code Origin} and {@code Access-Control-Request-Method}) with 204 and stops; adds the CORS headers to the other
 * responses of allowed origins. With credentials allowed, {@code *} is never sent: the origin (and the requested
 * method and headers) are echoed, as browsers require.
 */
final class CorsFilter implements HttpFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());

    private final List<String> exactOrigins;
    private final List<Pattern> originPatterns;
    private final boolean anyOrigin;
    private final String allowMethods;
    private final boolean anyMethod;
    private final String allowHeaders;
    private final boolean anyHeader;
    private final String exposeHeaders;
    private final boolean credentials;
    private final String maxAge;
    private final FilterDecision preflightAnswered = FilterDecision.stop("cors: preflight");

    private CorsFilter(List<String> exactOrigins, List<Pattern> originPatterns, boolean anyOrigin, List<String> methods,
                       List<String> headers, List<String> exposeHeaders, boolean credentials, Duration maxAge) {
        this.exactOrigins = exactOrigins;
        this.originPatterns = originPatterns;
        this.anyOrigin = anyOrigin;
        this.anyMethod = methods.contains("*");
        this.allowMethods = String.join(", ", methods);
        this.anyHeader = headers.contains("*");
        this.allowHeaders = String.join(", ", headers);
        this.exposeHeaders = String.join(", ", exposeHeaders);
        this.credentials = credentials;
        this.maxAge = maxAge == null ? null : Long.toString(maxAge.toSeconds());
    }

    static DefinedFilterFactory factory() {
        return new DefinedFilterFactory("cors", dev.junction.spi.ExecutionStyle.ASYNC,
                Set.of("basic-auth", "jwt", "rate-limit"), (config, plugin) -> create(config));
    }

    static CorsFilter create(ConfigNode config) {
        Config.mapping(config, "allow-origins", "allow-methods", "allow-headers", "expose-headers",
                "allow-credentials", "max-age");
        ConfigNode originsNode = config.get("allow-origins");
        if (originsNode.isMissing()) {
            throw originsNode.error("missing (expected: a list of origins such as [\"https://example.org\"], "
                    + "\"*\", or {regex: ...} entries)");
        }
        List<ConfigNode> originElements = originsNode.isList() ? originsNode.elements() : List.of(originsNode);
        List<String> exact = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        boolean any = false;
        for (ConfigNode element : originElements) {
            if (element.isMap()) {
                element.checkKeys("regex");
                ConfigNode regex = element.get("regex");
                try {
                    patterns.add(Pattern.compile(regex.asString(), Pattern.CASE_INSENSITIVE));
                } catch (PatternSyntaxException e) {
                    throw regex.error('"' + regex.asString() + "\" (expected: a Java regular expression; "
                            + e.getDescription() + ')');
                }
            } else if (element.isScalar()) {
                String origin = element.asString();
                if (origin.equals("*")) {
                    any = true;
                } else if (origin.equals("null") || validOrigin(origin)) {
                    exact.add(origin.toLowerCase(Locale.ROOT));
                } else {
                    throw element.error('"' + origin + "\" (expected: an origin such as https://example.org or "
                            + "http://127.0.0.1:8080, without path or trailing slash)");
                }
            } else {
                throw element.error(Config.describe(element) + " (expected: an origin or {regex: ...})");
            }
        }
        List<String> methods = new ArrayList<>();
        ConfigNode methodsNode = config.get("allow-methods");
        for (String method : methodsNode.isMissing() ? List.of("GET", "HEAD", "POST") : Config.strings(methodsNode)) {
            if (!method.equals("*") && !Config.isToken(method)) {
                throw methodsNode.error('"' + method + "\" (expected: a method such as GET, or *)");
            }
            methods.add(method.equals("*") ? method : method.toUpperCase(Locale.ROOT));
        }
        List<String> headers = names(config.get("allow-headers"));
        List<String> expose = names(config.get("expose-headers"));
        boolean credentials = config.get("allow-credentials").asBoolean(false);
        if (credentials && expose.contains("*")) {
            throw config.get("expose-headers").error("* with allow-credentials (expected: header names; with "
                    + "credentials browsers read * as a header named *)");
        }
        ConfigNode maxAgeNode = config.get("max-age");
        Duration maxAge = maxAgeNode.isMissing() ? null : Config.duration(maxAgeNode, Duration.ZERO, true);
        return new CorsFilter(exact, patterns, any, methods, headers, expose, credentials, maxAge);
    }

    private static List<String> names(ConfigNode node) {
        List<String> names = new ArrayList<>();
        for (String name : Config.strings(node)) {
            names.add(name.equals("*") ? name : Config.headerName(node, name));
        }
        return names;
    }

    private static boolean validOrigin(String origin) {
        int separator = origin.indexOf("://");
        if (separator <= 0) {
            return false;
        }
        String scheme = origin.substring(0, separator);
        String authority = origin.substring(separator + 3);
        return Config.isToken(scheme) && !authority.isEmpty() && authority.indexOf('/') < 0
                && authority.indexOf('?') < 0 && authority.indexOf('#') < 0 && authority.indexOf(' ') < 0;
    }

    /** Returns whether {@code origin} (as sent by a browser) is allowed. */
    boolean allows(String origin) {
        if (anyOrigin) {
            return true;
        }
        String lower = origin.toLowerCase(Locale.ROOT);
        if (exactOrigins.contains(lower)) {
            return true;
        }
        for (Pattern pattern : originPatterns) {
            if (pattern.matcher(origin).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Returns whether the answer depends on the origin, so caches must key on it. */
    private boolean variesByOrigin() {
        return !anyOrigin || credentials;
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        MultiMap headers = exchange.request().headers();
        String origin = headers.get("origin");
        if (origin == null || exchange.request().method() != HttpMethod.OPTIONS) {
            return PROCEED;
        }
        String requestedMethod = headers.get("access-control-request-method");
        if (requestedMethod == null) {
            return PROCEED; // a plain OPTIONS request, for the action
        }
        HttpServerResponse response = exchange.response();
        MultiMap out = response.headers();
        if (!allows(origin)) {
            if (variesByOrigin()) {
                out.add("vary", "Origin");
            }
            return LocalAnswers.answer(exchange, 403, "cors: origin not allowed\n", "cors: origin not allowed");
        }
        allowOrigin(out, origin);
        String methods = anyMethod && credentials ? requestedMethod.trim() : allowMethods;
        if (!methods.isEmpty()) {
            out.set("access-control-allow-methods", methods);
        }
        String requestedHeaders = headers.get("access-control-request-headers");
        if (anyHeader && credentials) {
            if (requestedHeaders != null && !requestedHeaders.isBlank()) {
                out.set("access-control-allow-headers", requestedHeaders.trim());
            }
        } else if (!allowHeaders.isEmpty()) {
            out.set("access-control-allow-headers", allowHeaders);
        }
        if (maxAge != null) {
            out.set("access-control-max-age", maxAge);
        }
        if (credentials && (anyMethod || anyHeader)) {
            out.add("vary", "Access-Control-Request-Method, Access-Control-Request-Headers");
        }
        return exchange.respond(204, null, Buffer.buffer())
                .transform(ignored -> Future.succeededFuture(preflightAnswered));
    }

    @Override
    public void onResponse(HttpExchange exchange, HttpServerResponse response) {
        String origin = exchange.request().getHeader("origin");
        if (origin != null && exchange.request().method() == HttpMethod.OPTIONS
                && exchange.request().getHeader("access-control-request-method") != null) {
            return; // a preflight: answered (or refused) by the request phase
        }
        MultiMap out = response.headers();
        if (origin == null || !allows(origin)) {
            if (variesByOrigin()) {
                out.add("vary", "Origin");
            }
            return;
        }
        allowOrigin(out, origin);
        if (!exposeHeaders.isEmpty()) {
            out.set("access-control-expose-headers", exposeHeaders);
        }
    }

    private void allowOrigin(MultiMap out, String origin) {
        if (anyOrigin && !credentials) {
            out.set("access-control-allow-origin", "*");
        } else {
            out.set("access-control-allow-origin", origin);
            out.add("vary", "Origin");
        }
        if (credentials) {
            out.set("access-control-allow-credentials", "true");
        }
    }
}
