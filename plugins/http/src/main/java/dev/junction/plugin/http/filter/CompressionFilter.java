package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code compression} filter: compresses response bodies with gzip, deflate or (when configured) brotli as they
 * stream, by the client's {@code Accept-Encoding}. It leaves alone responses that are small (by
 * {@code Content-Length}), of other content types, already encoded, partial, marked {@code no-transform}, answers
 * to HEAD, and statuses without a body; it adds {@code Vary: Accept-Encoding} to every response it could have
 * compressed, removes {@code Content-Length} and weakens a strong {@code ETag} of those it compresses.
 */
final class CompressionFilter implements HttpFilter {

    static final List<String> DEFAULT_CONTENT_TYPES = List.of("text/*", "application/json", "application/*+json",
            "application/javascript", "application/xml", "application/*+xml", "application/x-ndjson",
            "application/wasm", "image/svg+xml", "font/ttf", "font/otf");
    private static final List<String> CODINGS = List.of("gzip", "deflate");
    private static final List<String> KNOWN_CODINGS = List.of("br", "gzip", "deflate");

    private final long minSize;
    private final List<String> contentTypes;
    private final List<String> codings;
    private final int level;

    CompressionFilter(long minSize, List<String> contentTypes, List<String> codings, int level) {
        this.minSize = minSize;
        this.contentTypes = contentTypes;
        this.codings = codings;
        this.level = level;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("compression", (config, plugin) -> create(config));
    }

    static CompressionFilter create(ConfigNode config) {
        Config.mapping(config, "min-size", "content-types", "level", "encodings");
        ConfigNode minNode = config.get("min-size");
        long minSize = minNode.asBytes(1024);
        if (minSize < 0) {
            throw minNode.error(minSize + " (expected: >= 0)");
        }
        ConfigNode typesNode = config.get("content-types");
        List<String> types = new ArrayList<>();
        for (String type : typesNode.isMissing() ? DEFAULT_CONTENT_TYPES : Config.strings(typesNode)) {
            String lower = type.strip().toLowerCase(Locale.ROOT);
            int slash = lower.indexOf('/');
            if (slash <= 0 || slash == lower.length() - 1 || lower.indexOf(';') >= 0 || lower.indexOf(' ') >= 0) {
                throw typesNode.error('"' + type + "\" (expected: a media type such as text/html, text/* or "
                        + "application/*+json)");
            }
            types.add(lower);
        }
        ConfigNode codingsNode = config.get("encodings");
        List<String> codings = new ArrayList<>();
        for (String coding : codingsNode.isMissing() ? CODINGS : Config.strings(codingsNode)) {
            String lower = coding.strip().toLowerCase(Locale.ROOT);
            if (!KNOWN_CODINGS.contains(lower)) {
                throw codingsNode.error('"' + coding + "\" (expected: br, gzip or deflate)");
            }
            if (lower.equals(BrotliBodyEncoder.CODING) && BrotliBodyEncoder.unavailability() != null) {
                throw codingsNode.error("br, but brotli is not available on this platform ("
                        + BrotliBodyEncoder.unavailability() + ")");
            }
            if (!codings.contains(lower)) {
                codings.add(lower);
            }
        }
        if (codings.isEmpty()) {
            throw codingsNode.error("an empty list (expected: some of br, gzip and deflate, in order of preference)");
        }
        int level = Config.intRange(config.get("level"), 6, 1, 9);
        return new CompressionFilter(minSize, types, codings, level);
    }

    @Override
    public void onResponse(HttpExchange exchange, HttpServerResponse response) {
        int status = response.getStatusCode();
        if (status < 200 || status == 204 || status == 206 || status == 304) {
            return;
        }
        MultiMap headers = response.headers();
        if (!compressibleType(headers.get("content-type"))) {
            return;
        }
        addVary(headers);
        if (exchange.request().method() == HttpMethod.HEAD || headers.contains("content-range")) {
            return;
        }
        String encoding = headers.get("content-encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return;
        }
        String cacheControl = headers.get("cache-control");
        if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-transform")) {
            return;
        }
        String length = headers.get("content-length");
        if (length != null && smallerThanMinimum(length)) {
            return;
        }
        String coding = AcceptEncoding.choose(exchange.request().headers().get("accept-encoding"), codings);
        if (coding == null) {
            return;
        }
        ResponseBodyTransform encoder = coding.equals(BrotliBodyEncoder.CODING) ? new BrotliBodyEncoder(level)
                : new BodyEncoder(coding, level);
        if (!ResponseBodyHook.install(exchange, encoder)) {
            encoder.close();
            return;
        }
        headers.set("content-encoding", coding);
        headers.remove("content-length");
        String etag = headers.get("etag");
        if (etag != null && etag.startsWith("\"")) {
            headers.set("etag", "W/" + etag);
        }
        if (exchange.request().version() != HttpVersion.HTTP_2) {
            response.setChunked(true);
        }
    }

    private boolean smallerThanMinimum(String contentLength) {
        try {
            long length = Long.parseLong(contentLength.strip());
            return length == 0 || length < minSize;
        } catch (NumberFormatException e) {
            return true; // not a length this filter understands: leave the response alone
        }
    }

    /** Returns whether a {@code Content-Type} value is one of the configured media types. */
    boolean compressibleType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip()
                .toLowerCase(Locale.ROOT);
        int slash = type.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        for (String pattern : contentTypes) {
            if (matches(pattern, type, slash)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String type, int slash) {
        if (pattern.equals(type) || pattern.equals("*/*")) {
            return true;
        }
        int patternSlash = pattern.indexOf('/');
        String patternMain = pattern.substring(0, patternSlash);
        String patternSub = pattern.substring(patternSlash + 1);
        if (!patternMain.equals(type.substring(0, slash))) {
            return false;
        }
        String sub = type.substring(slash + 1);
        if (patternSub.equals("*")) {
            return true;
        }
        // application/*+json matches application/ld+json and application/problem+json
        return patternSub.startsWith("*+") && sub.endsWith(patternSub.substring(1));
    }

    private static void addVary(MultiMap headers) {
        for (String vary : headers.getAll("vary")) {
            for (String element : vary.split(",")) {
                String name = element.strip();
                if (name.equals("*") || name.equalsIgnoreCase("accept-encoding")) {
                    return;
                }
            }
        }
        headers.add("vary", "Accept-Encoding");
    }
}
