package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.impl.jose.JWT;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code jwt} filter: verifies a JSON Web Token (RFC 7519) from a header, a cookie or a query parameter with
 * a shared secret, a PEM public key or a JWKS URL, checks {@code exp}, {@code nbf}, {@code iss} and {@code aud},
 * copies chosen claims into request headers (removing whatever the client sent under those names), and answers 401
 * with {@code WWW-Authenticate: Bearer} otherwise.
 */
final class JwtFilter implements HttpFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    /** Where the token is read from. */
    enum Source { HEADER, COOKIE, QUERY }

    private final JwtKeys keys;
    private final Source source;
    private final String sourceName;
    private final boolean bearer;
    private final String issuer;
    private final Set<String> audiences;
    private final long leewaySeconds;
    private final Map<String, String> claimsToHeaders;
    private final boolean forwardToken;

    JwtFilter(JwtKeys keys, Source source, String sourceName, String issuer, Set<String> audiences,
              Duration leeway, Map<String, String> claimsToHeaders, boolean forwardToken) {
        this.keys = keys;
        this.source = source;
        this.sourceName = sourceName;
        this.bearer = source == Source.HEADER && sourceName.equals("authorization");
        this.issuer = issuer;
        this.audiences = audiences;
        this.leewaySeconds = leeway.toSeconds();
        this.claimsToHeaders = claimsToHeaders;
        this.forwardToken = forwardToken;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("jwt", JwtFilter::create);
    }

    static JwtFilter create(ConfigNode config, PluginContext plugin) {
        Config.mapping(config, "secret", "public-key-file", "jwks-url", "jwks-refresh", "issuer", "audiences",
                "leeway", "claims-to-headers", "token-from", "forward-token");
        ConfigNode secretNode = config.get("secret");
        ConfigNode pemNode = config.get("public-key-file");
        ConfigNode jwksNode = config.get("jwks-url");
        int sources = (secretNode.isMissing() ? 0 : 1) + (pemNode.isMissing() ? 0 : 1) + (jwksNode.isMissing() ? 0 : 1);
        if (sources != 1) {
            throw config.error((sources == 0 ? "no key" : "more than one key source")
                    + " (expected: exactly one of secret, public-key-file, jwks-url)");
        }
        JwtKeys keys;
        if (!secretNode.isMissing()) {
            byte[] secret = secretNode.asString().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw secretNode.error("a secret of " + secret.length + " bytes (expected: at least 32 bytes, as "
                        + "HS256 needs, RFC 7518 3.2)");
            }
            keys = new JwtKeys(List.of(new JWK(new PubSecKeyOptions().setAlgorithm("HS256")
                    .setBuffer(Buffer.buffer(secret)))));
        } else if (!pemNode.isMissing()) {
            keys = new JwtKeys(List.of(pemKey(pemNode)));
        } else {
            String url = jwksNode.asString();
            try {
                URI uri = new URI(url);
                if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new URISyntaxException(url, "not an http or https URL");
                }
            } catch (URISyntaxException e) {
                throw jwksNode.error('"' + url + "\" (expected: an http or https URL such as "
                        + "https://example.org/.well-known/jwks.json)");
            }
            Duration refresh = Config.duration(config.get("jwks-refresh"), Duration.ofMinutes(5), false);
            keys = new JwtKeys(plugin::vertx, url, refresh, plugin.logger());
        }
        if (!keys.refreshable() && !config.get("jwks-refresh").isMissing()) {
            throw config.get("jwks-refresh").error("without jwks-url (expected: jwks-refresh only with jwks-url)");
        }
        ConfigNode fromNode = config.get("token-from");
        String from = fromNode.asString("header:Authorization");
        Source source;
        String name;
        int colon = from.indexOf(':');
        String kind = colon < 0 ? "" : from.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : from.substring(colon + 1).strip();
        switch (kind) {
            case "header" -> {
                source = Source.HEADER;
                name = Config.headerName(fromNode, rest);
            }
            case "cookie" -> {
                source = Source.COOKIE;
                if (!Config.isToken(rest)) {
                    throw fromNode.error('"' + from + "\" (expected: cookie:<name>)");
                }
                name = rest;
            }
            case "query" -> {
                source = Source.QUERY;
                if (rest.isEmpty()) {
                    throw fromNode.error('"' + from + "\" (expected: query:<name>)");
                }
                name = rest;
            }
            default -> throw fromNode.error('"' + from + "\" (expected: header:<name>, cookie:<name> or query:<name>)");
        }
        ConfigNode forwardNode = config.get("forward-token");
        boolean forward = forwardNode.asBoolean(source == Source.QUERY);
        if (source == Source.QUERY && !forward) {
            throw forwardNode.error("false with token-from: query (expected: true; the query string is forwarded as "
                    + "it came)");
        }
        String issuer = config.get("issuer").asOptionalString().orElse(null);
        Set<String> audiences = Set.copyOf(Config.strings(config.get("audiences")));
        Duration leeway = Config.duration(config.get("leeway"), Duration.ZERO, true);
        Map<String, String> claims = new LinkedHashMap<>();
        ConfigNode claimsNode = config.get("claims-to-headers");
        if (!claimsNode.isMissing()) {
            if (!claimsNode.isMap()) {
                throw claimsNode.error(Config.describe(claimsNode) + " (expected: a mapping from claim to header)");
            }
            for (Map.Entry<String, ConfigNode> entry : claimsNode.entries().entrySet()) {
                ConfigNode header = entry.getValue();
                claims.put(entry.getKey(), Config.headerName(header, header.asString()));
            }
        }
        return new JwtFilter(keys, source, name, issuer, audiences, leeway, claims, forward);
    }

    private static JWK pemKey(ConfigNode node) {
        Path file = Path.of(node.asString());
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw node.error('"' + file.toString() + "\" cannot be read: " + e.getMessage()
                    + " (expected: a PEM public key file)");
        }
        String algorithm;
        try {
            String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(base64);
            PublicKey key;
            try {
                key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            }
            if (key instanceof ECPublicKey ec) {
                int bits = ec.getParams().getCurve().getField().getFieldSize();
                algorithm = switch (bits) {
                    case 256 -> "ES256";
                    case 384 -> "ES384";
                    case 521 -> "ES512";
                    default -> throw new IllegalArgumentException("an EC curve of " + bits + " bits");
                };
            } else {
                algorithm = "RS256";
            }
            return new JWK(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(Buffer.buffer(pem)));
        } catch (Exception e) {
            throw node.error('"' + file.toString() + "\" holds no usable key: " + e.getMessage()
                    + " (expected: an RSA or EC public key in PEM, -----BEGIN PUBLIC KEY-----)");
        }
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        MultiMap headers = exchange.request().headers();
        for (String header : claimsToHeaders.values()) {
            headers.remove(header); // never let a client choose what the claims say
        }
        String token = token(exchange);
        if (token == null) {
            return unauthorized(exchange, "Bearer", "jwt: missing token");
        }
        if (!TOKEN.matcher(token).matches()) {
            return invalid(exchange);
        }
        return keys.current()
                .compose(jwt -> verify(jwt, token)
                        .recover(failure -> failure instanceof NoSuchKeyIdException && keys.refreshable()
                                ? keys.refetchForUnknownKey().compose(fresh -> verify(fresh, token))
                                : Future.failedFuture(failure)))
                .transform(result -> {
                    if (result.failed() || !claimsHold(result.result(), System.currentTimeMillis() / 1000)) {
                        return invalid(exchange);
                    }
                    copyClaims(result.result(), headers);
                    if (!forwardToken) {
                        removeToken(exchange);
                    }
                    return PROCEED;
                });
    }

    private static Future<JsonObject> verify(JWT jwt, String token) {
        if (jwt.isUnsecure()) {
            return Future.failedFuture("jwt: no keys"); // an empty key set would accept unsigned tokens
        }
        try {
            return Future.succeededFuture(jwt.decode(token));
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    /** Returns whether the registered claims of a verified payload hold at {@code now} (seconds since the epoch). */
    boolean claimsHold(JsonObject payload, long now) {
        try {
            Object exp = payload.getValue("exp");
            if (exp != null && (!(exp instanceof Number number) || now - leewaySeconds >= number.longValue())) {
                return false;
            }
            Object nbf = payload.getValue("nbf");
            if (nbf != null && (!(nbf instanceof Number number) || now + leewaySeconds < number.longValue())) {
                return false;
            }
            if (issuer != null && !issuer.equals(payload.getValue("iss"))) {
                return false;
            }
            if (!audiences.isEmpty()) {
                Object aud = payload.getValue("aud");
                if (aud instanceof JsonArray array) {
                    return array.stream().anyMatch(audiences::contains);
                }
                return aud != null && audiences.contains(aud);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void copyClaims(JsonObject payload, MultiMap headers) {
        for (Map.Entry<String, String> entry : claimsToHeaders.entrySet()) {
            Object value = payload.getValue(entry.getKey());
            if (value == null) {
                continue;
            }
            String text;
            if (value instanceof JsonArray array) {
                List<String> parts = new ArrayList<>();
                array.forEach(element -> parts.add(String.valueOf(element)));
                text = String.join(",", parts);
            } else {
                text = value instanceof JsonObject object ? object.encode() : String.valueOf(value);
            }
            if (text.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
                headers.set(entry.getValue(), text);
            }
        }
    }

    private String token(HttpExchange exchange) {
        switch (source) {
            case HEADER -> {
                String value = exchange.request().getHeader(sourceName);
                if (value == null) {
                    return null;
                }
                value = value.strip();
                if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return value.substring(7).strip();
                }
                return bearer ? null : value;
            }
            case COOKIE -> {
                for (String cookieHeader : exchange.request().headers().getAll("cookie")) {
                    for (String pair : cookieHeader.split(";")) {
                        int equals = pair.indexOf('=');
                        if (equals > 0 && pair.substring(0, equals).strip().equals(sourceName)) {
                            String value = pair.substring(equals + 1).strip();
                            return value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")
                                    ? value.substring(1, value.length() - 1) : value;
                        }
                    }
                }
                return null;
            }
            default -> {
                return exchange.request().getParam(sourceName);
            }
        }
    }

    private void removeToken(HttpExchange exchange) {
        MultiMap headers = exchange.request().headers();
        if (source == Source.HEADER) {
            headers.remove(sourceName);
        } else if (source == Source.COOKIE) {
            List<String> kept = new ArrayList<>();
            for (String cookieHeader : headers.getAll("cookie")) {
                for (String pair : cookieHeader.split(";")) {
                    int equals = pair.indexOf('=');
                    if (!(equals > 0 && pair.substring(0, equals).strip().equals(sourceName)) && !pair.isBlank()) {
                        kept.add(pair.strip());
                    }
                }
            }
            headers.remove("cookie");
            if (!kept.isEmpty()) {
                headers.set("cookie", String.join("; ", kept));
            }
        }
    }

    private static Future<FilterDecision> invalid(HttpExchange exchange) {
        return unauthorized(exchange, "Bearer error=\"invalid_token\"", "jwt: invalid token");
    }

    private static Future<FilterDecision> unauthorized(HttpExchange exchange, String challenge, String reason) {
        exchange.response().headers().set("www-authenticate", challenge);
        return LocalAnswers.answer(exchange, 401, "unauthorized\n", reason);
    }
}
