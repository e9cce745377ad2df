package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A compiled route {@code match}: host, path, methods, headers and query parameters, all of which must hold.
 * Conditions are checked cheapest first; a match with no conditions is {@link #ANY}.
 */
final class RouteMatch {

    static final RouteMatch ANY = new RouteMatch(null, null, null, null, null);

    private final HostCondition host;
    private final PathCondition path;
    private final Set<HttpMethod> methods;
    private final ValueCondition[] headers;
    private final ValueCondition[] query;

    private RouteMatch(HostCondition host, PathCondition path, Set<HttpMethod> methods, ValueCondition[] headers,
            ValueCondition[] query) {
        this.host = host;
        this.path = path;
        this.methods = methods;
        this.headers = headers;
        this.query = query;
    }

    static RouteMatch compile(ConfigNode match) {
        if (match.isMissing()) {
            return ANY;
        }
        Config.mapping(match, "host", "path", "methods", "headers", "query");
        HostCondition host = match.get("host").isMissing() ? null : HostCondition.compile(match.get("host"));
        PathCondition path = match.get("path").isMissing() ? null : PathCondition.compile(match.get("path"));
        Set<HttpMethod> methods = null;
        ConfigNode methodsNode = match.get("methods");
        if (!methodsNode.isMissing()) {
            List<String> names = Config.strings(methodsNode);
            if (names.isEmpty()) {
                throw methodsNode.error("[] (expected: at least one method; leave out methods to match all)");
            }
            methods = new java.util.HashSet<>();
            for (String name : names) {
                if (name.isEmpty() || !name.chars().allMatch(RouteMatch::isTokenChar)) {
                    throw methodsNode.error('"' + name + "\" (expected: a method name such as GET)");
                }
                methods.add(HttpMethod.valueOf(name.toUpperCase(Locale.ROOT)));
            }
            methods = Set.copyOf(methods);
        }
        ValueCondition[] headers = ValueCondition.compileAll(match.get("headers"), true);
        ValueCondition[] query = ValueCondition.compileAll(match.get("query"), false);
        return new RouteMatch(host, path, methods, headers, query);
    }

    boolean matches(HttpServerRequest request, String host, String path) {
        return matches(request.method(), request.headers(), request.query(), host, path);
    }

    /** Matches a request given by its parts: the raw query ({@code null} when none), normalised host and path. */
    boolean matches(HttpMethod method, MultiMap requestHeaders, String rawQuery, String host, String path) {
        if (methods != null && !methods.contains(method)) {
            return false;
        }
        if (this.host != null && !this.host.matches(host)) {
            return false;
        }
        if (this.path != null && !this.path.matches(path)) {
            return false;
        }
        if (headers != null) {
            MultiMap values = requestHeaders;
            for (ValueCondition condition : headers) {
                if (!condition.matches(values.get(condition.name))) {
                    return false;
                }
            }
        }
        if (query != null) {
            // Decoded here rather than with request.params(): parameter names are case-sensitive.
            String raw = rawQuery;
            Map<String, List<String>> params = raw == null ? Map.of()
                    : new QueryStringDecoder(raw, false).parameters();
            for (ValueCondition condition : query) {
                List<String> values = params.get(condition.name);
                if (!condition.matches(values == null || values.isEmpty() ? null : values.get(0))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** Exact host names and {@code *.suffix} wildcards, compared in lower case without the port. */
    private record HostCondition(Set<String> exact, String[] suffixes) {

        static HostCondition compile(ConfigNode node) {
            List<String> names = Config.strings(node);
            if (names.isEmpty()) {
                throw node.error("[] (expected: at least one host; leave out host to match all)");
            }
            Set<String> exact = new java.util.HashSet<>();
            List<String> suffixes = new ArrayList<>();
            for (String name : names) {
                String host = name.toLowerCase(Locale.ROOT);
                if (host.startsWith("*.") && host.length() > 2 && host.indexOf('*', 1) < 0) {
                    suffixes.add(host.substring(1)); // ".example.org"
                } else if (!host.isEmpty() && host.indexOf('*') < 0 && host.indexOf(':') < 0) {
                    exact.add(host);
                } else {
                    throw node.error('"' + name + "\" (expected: a host name such as example.org or a wildcard"
                            + " such as *.example.org, without a port)");
                }
            }
            return new HostCondition(Set.copyOf(exact), suffixes.toArray(new String[0]));
        }

        boolean matches(String host) {
            if (exact.contains(host)) {
                return true;
            }
            for (String suffix : suffixes) {
                if (host.length() > suffix.length() && host.endsWith(suffix)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code exact}, {@code prefix} (on segment boundaries) or {@code regex} against the normalised path. */
    private record PathCondition(String exact, String prefix, Pattern regex) {

        static PathCondition compile(ConfigNode node) {
            if (!node.isMap() || node.keys().size() != 1) {
                throw node.error(Config.describe(node)
                        + " (expected: one of {exact: /a}, {prefix: /api}, {regex: \"^/v[0-9]+/\"})");
            }
            Config.mapping(node, "exact", "prefix", "regex");
            String kind = node.keys().iterator().next();
            ConfigNode value = node.get(kind);
            String text = value.asString();
            switch (kind) {
                case "exact" -> {
                    checkPath(value, text);
                    return new PathCondition(text, null, null);
                }
                case "prefix" -> {
                    checkPath(value, text);
                    String prefix = text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
                    return new PathCondition(null, prefix, null);
                }
                default -> {
                    return new PathCondition(null, null, compileRegex(value, text));
                }
            }
        }

        private static void checkPath(ConfigNode node, String text) {
            if (!text.startsWith("/") || PathNormalizer.normalize(text) == null) {
                throw node.error('"' + text + "\" (expected: a path starting with /)");
            }
            if (!PathNormalizer.normalize(text).equals(text)) {
                throw node.error('"' + text + "\" (expected: a normalised path, such as \""
                        + PathNormalizer.normalize(text) + "\"; requests are normalised before matching)");
            }
        }

        boolean matches(String path) {
            if (exact != null) {
                return exact.equals(path);
            }
            if (prefix != null) {
                if (prefix.equals("/")) {
                    return true;
                }
                return path.startsWith(prefix)
                        && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
            }
            return regex.matcher(path).find();
        }
    }

    static Pattern compileRegex(ConfigNode node, String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw node.error('"' + text + "\" (expected: a regular expression: " + e.getDescription() + ")");
        }
    }

    /** A header or query parameter: an exact value, a regular expression, or presence. */
    private record ValueCondition(String name, String exact, Pattern regex, Boolean present) {

        static ValueCondition[] compileAll(ConfigNode node, boolean header) {
            if (node.isMissing()) {
                return null;
            }
            if (!node.isMap() || node.keys().isEmpty()) {
                throw node.error(Config.describe(node) + " (expected: a mapping from name to value)");
            }
            List<ValueCondition> conditions = new ArrayList<>();
            for (Map.Entry<String, ConfigNode> entry : node.entries().entrySet()) {
                String name = header ? entry.getKey().toLowerCase(Locale.ROOT) : entry.getKey();
                ConfigNode value = entry.getValue();
                if (value.isScalar()) {
                    conditions.add(new ValueCondition(name, value.asString(), null, null));
                } else if (value.isMap() && value.keys().size() == 1) {
                    Config.mapping(value, "regex", "present");
                    if (!value.get("regex").isMissing()) {
                        String text = value.get("regex").asString();
                        conditions.add(new ValueCondition(name, null, compileRegex(value.get("regex"), text), null));
                    } else {
                        conditions.add(new ValueCondition(name, null, null, value.get("present").asBoolean(true)));
                    }
                } else {
                    throw value.error(Config.describe(value)
                            + " (expected: a value, {regex: ...} or {present: true|false})");
                }
            }
            return conditions.toArray(new ValueCondition[0]);
        }

        boolean matches(String value) {
            if (present != null) {
                return present == (value != null);
            }
            if (value == null) {
                return false;
            }
            return exact != null ? exact.equals(value) : regex.matcher(value).find();
        }
    }
}
