package dev.junction.plugin.http;

import dev.junction.spi.net.IpMatcher;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The headers a proxy adds and removes: hop-by-hop removal (RFC 9110 7.6.1), {@code Via} (7.6.3),
 * {@code X-Forwarded-For}/{@code -Proto}/{@code -Host} and {@code Forwarded} (RFC 7239). Incoming forwarding
 * headers are kept and extended only when the peer is a trusted proxy; from anyone else they are replaced, so a
 * client cannot spoof its address to the upstream.
 */
final class ForwardedHeaders {

    static final String X_FORWARDED_FOR = "x-forwarded-for";
    static final String X_FORWARDED_PROTO = "x-forwarded-proto";
    static final String X_FORWARDED_HOST = "x-forwarded-host";
    static final String FORWARDED = "forwarded";
    static final String VIA = "via";
    private static final String CONNECTION = "connection";
    private static final String HOST = "host";

    private ForwardedHeaders() {
    }

    /** Where header fields go: a header map, or the bytes of a request head being written. */
    @FunctionalInterface
    interface FieldSink {
        void add(CharSequence name, CharSequence value);
    }

    /** Returns whether {@code name} is hop-by-hop, or must not be copied by a proxy for another reason. */
    static boolean isHopByHop(CharSequence name) {
        return switch (name.length()) {
            case 2 -> equalsIgnoreCase(name, "te");
            case 4 -> equalsIgnoreCase(name, "host");
            case 6 -> equalsIgnoreCase(name, "expect");
            case 7 -> equalsIgnoreCase(name, "upgrade");
            case 10 -> equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive");
            case 14 -> equalsIgnoreCase(name, "http2-settings");
            case 16 -> equalsIgnoreCase(name, "proxy-connection");
            case 17 -> equalsIgnoreCase(name, "transfer-encoding");
            case 18 -> equalsIgnoreCase(name, "proxy-authenticate");
            case 19 -> equalsIgnoreCase(name, "proxy-authorization");
            default -> false;
        };
    }

    private static boolean equalsIgnoreCase(CharSequence a, String lowerCase) {
        if (a.length() != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + 32);
            }
            if (c != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies {@code from} into {@code to} without hop-by-hop headers and without the headers that {@code from}'s
     * {@code Connection} header names. Keeps {@code TE: trailers} when {@code request}, as HTTP/2 upstreams (gRPC)
     * need it, and then also leaves out the forwarding headers, which {@link #addForwarding} writes from the
     * incoming ones. Names and values are copied as the character sequences the decoder produced, not as strings.
     */
    static void copyEndToEnd(MultiMap from, MultiMap to, boolean request) {
        copyEndToEnd(from, (FieldSink) to::add, request);
    }

    static void copyEndToEnd(MultiMap from, FieldSink to, boolean request) {
        copyEndToEnd(from, connectionOptions(from), to, request);
    }

    /**
     * Returns the options of every {@code Connection} field of {@code headers} as one list (RFC 9110 5.3: repeated
     * field lines are one comma-separated list), or null when there is none.
     */
    static String connectionOptions(MultiMap headers) {
        if (!headers.contains(CONNECTION)) {
            return null; // the common case, without a list
        }
        List<String> values = headers.getAll(CONNECTION);
        return switch (values.size()) {
            case 0 -> null;
            case 1 -> values.get(0);
            default -> String.join(", ", values);
        };
    }

    /**
     * Copies like {@link #copyEndToEnd(MultiMap, FieldSink, boolean)}, given the options of all of {@code from}'s
     * Connection fields ({@link #connectionOptions}).
     */
    static void copyEndToEnd(MultiMap from, String connection, FieldSink to, boolean request) {
        String[] named = connection == null ? null : tokens(connection);
        if (from instanceof HttpHeaders netty) {
            Iterator<Map.Entry<CharSequence, CharSequence>> entries = netty.iteratorCharSequence();
            while (entries.hasNext()) {
                Map.Entry<CharSequence, CharSequence> entry = entries.next();
                copy(entry.getKey(), entry.getValue(), to, named, request);
            }
        } else {
            for (Map.Entry<String, String> entry : from) {
                copy(entry.getKey(), entry.getValue(), to, named, request);
            }
        }
    }

    /**
     * Copies a request's trailer fields {@code from} into {@code to} as {@link #copyEndToEnd} copies its headers
     * ({@code connection} is the {@code Connection} value of its head), leaving out as well the fields a trailer
     * section must not carry because they are needed before the body (RFC 9110 6.5.1): framing, content format,
     * authentication and request modifiers. That keeps an upstream which merges trailers into the headers
     * from seeing, say, an {@code Authorization} or a second {@code Content-Type} the head did not carry.
     */
    static void copyRequestTrailers(MultiMap from, String connection, FieldSink to) {
        String[] named = connection == null ? null : tokens(connection);
        for (Map.Entry<String, String> field : from) {
            String name = field.getKey();
            if (!isHopByHop(name) && !isForwarding(name) && !isHeadOnly(name)
                    && (named == null || !contains(named, name))) {
                to.add(name, field.getValue());
            }
        }
    }

    /** Returns whether {@code name} is a request field that only the head may carry (besides hop-by-hop ones). */
    private static boolean isHeadOnly(CharSequence name) {
        if (name.length() > 3 && (name.charAt(0) == 'i' || name.charAt(0) == 'I')
                && (name.charAt(1) == 'f' || name.charAt(1) == 'F') && name.charAt(2) == '-') {
            return true; // the conditionals: If-Match, If-None-Match, If-Modified-Since, ...
        }
        return switch (name.length()) {
            case 5 -> equalsIgnoreCase(name, "range");
            case 7 -> equalsIgnoreCase(name, "trailer"); // announces trailers: a head field
            case 6 -> equalsIgnoreCase(name, "cookie") || equalsIgnoreCase(name, "pragma");
            case 12 -> equalsIgnoreCase(name, "content-type") || equalsIgnoreCase(name, "max-forwards");
            case 13 -> equalsIgnoreCase(name, "authorization") || equalsIgnoreCase(name, "cache-control")
                    || equalsIgnoreCase(name, "content-range");
            case 14 -> equalsIgnoreCase(name, "content-length");
            case 16 -> equalsIgnoreCase(name, "content-encoding");
            default -> false;
        };
    }

    /** Returns whether {@code name} is one of the forwarding headers {@link #addForwarding} rewrites. */
    private static boolean isForwarding(CharSequence name) {
        return switch (name.length()) {
            case 9 -> equalsIgnoreCase(name, FORWARDED);
            case 15 -> equalsIgnoreCase(name, X_FORWARDED_FOR);
            case 16 -> equalsIgnoreCase(name, X_FORWARDED_HOST);
            case 17 -> equalsIgnoreCase(name, X_FORWARDED_PROTO);
            default -> false;
        };
    }

    private static void copy(CharSequence name, CharSequence value, FieldSink to, String[] named, boolean request) {
        if (isHopByHop(name)) {
            if (request && name.length() == 2 && hasToken(value.toString(), "trailers")) {
                to.add("te", "trailers");
            }
            return;
        }
        if (request && isForwarding(name)) {
            return;
        }
        if (named != null && contains(named, name)) {
            return;
        }
        to.add(name, value);
    }

    /**
     * Adds {@code Via}, {@code X-Forwarded-*} and {@code Forwarded} to the upstream request's headers, which
     * {@link #copyEndToEnd} filled without the incoming forwarding headers.
     *
     * @param via the {@code Via} value for the request's protocol version, such as {@code 1.1 junction}
     */
    static void addForwarding(HttpServerRequest request, MultiMap out, boolean trusted, String via, String host,
            String scheme) {
        String authority = host.isEmpty() ? null : authority(request, host);
        addForwarding(request.headers(), peerIp(request.remoteAddress()), authority, out::add, trusted, via, scheme);
    }

    /**
     * Adds the forwarding fields for a request with headers {@code in} from {@code peer}, whose authority (host and
     * port as the client sent them) is {@code authority}, or null when it had none.
     */
    static void addForwarding(MultiMap in, String peer, String authority, FieldSink out, boolean trusted, String via,
            String scheme) {
        addForwarding(in, peer, authority, out, trusted, via, scheme, null);
    }

    /** The last {@code Forwarded} element written for a connection: its peer and scheme stay, its host rarely. */
    static final class ElementMemo {
        private String authority;
        private String element;
    }

    /** Adds the forwarding fields, reusing {@code memo}'s element (when not null) for the same authority. */
    static void addForwarding(MultiMap in, String peer, String authority, FieldSink out, boolean trusted, String via,
            String scheme, ElementMemo memo) {
        out.add(VIA, via);
        String forwardedFor = trusted ? in.get(X_FORWARDED_FOR) : null;
        out.add(X_FORWARDED_FOR, forwardedFor == null || forwardedFor.isBlank() ? peer : forwardedFor + ", " + peer);
        String proto = trusted ? in.get(X_FORWARDED_PROTO) : null;
        out.add(X_FORWARDED_PROTO, proto == null ? scheme : proto);
        String forwardedHost = trusted ? in.get(X_FORWARDED_HOST) : null;
        if (forwardedHost != null) {
            out.add(X_FORWARDED_HOST, forwardedHost);
        } else if (authority != null) {
            out.add(X_FORWARDED_HOST, authority);
        }
        String element;
        if (memo != null && memo.element != null && java.util.Objects.equals(memo.authority, authority)) {
            element = memo.element;
        } else {
            element = "for=" + forwardedNode(peer) + ";proto=" + scheme
                    + (authority == null ? "" : ";host=" + quoteIfNeeded(authority));
            if (memo != null) {
                memo.authority = authority;
                memo.element = element;
            }
        }
        String forwarded = trusted ? in.get(FORWARDED) : null;
        out.add(FORWARDED, forwarded == null || forwarded.isBlank() ? element : forwarded + ", " + element);
    }

    private static String authority(HttpServerRequest request, String host) {
        String sent = sentAuthority(request);
        return sent == null ? host : sent;
    }

    /**
     * Returns the request's authority as the client wrote it, or null when it had none: the {@code Host} field of an
     * HTTP/1.x request rather than Vert.x's parsed authority, which prints an empty port as {@code :0} and a port
     * without its leading zeros. The request guard has made sure that an absolute-form target names the same one.
     */
    static String sentAuthority(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2) {
            String host = request.getHeader(HOST);
            if (host != null) {
                return host;
            }
        }
        HostAndPort authority = request.authority();
        return authority == null ? null : authority.toString();
    }

    /**
     * Returns the client as trusted: the peer, or, when the peer is a trusted proxy, the right-most address of
     * {@code X-Forwarded-For} that is not itself a trusted proxy.
     */
    static String clientIp(HttpServerRequest request, IpMatcher trustedProxies) {
        return clientIp(peerIp(request.remoteAddress()), request.headers(), trustedProxies);
    }

    static String clientIp(String peer, MultiMap headers, IpMatcher trustedProxies) {
        if (trustedProxies.isEmpty() || !trustedProxies.contains(IpMatcher.parseLiteral(peer))) {
            return peer;
        }
        String forwardedFor = headers.get(X_FORWARDED_FOR);
        if (forwardedFor == null) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            byte[] address = IpMatcher.parseLiteral(hop);
            if (address == null) {
                return peer; // garbage in the chain: trust nothing beyond the peer
            }
            if (!trustedProxies.contains(address) || i == 0) {
                return hop;
            }
        }
        return peer;
    }

    static String peerIp(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        String ip = address.hostAddress();
        if (ip == null) {
            ip = address.host();
        }
        if (ip != null && ip.startsWith("::ffff:") && ip.indexOf('.') > 0) {
            return ip.substring(7);
        }
        return ip == null ? "unknown" : ip;
    }

    private static String forwardedNode(String ip) {
        return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
    }

    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == '~')) {
                return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return value;
    }

    static String[] tokens(String list) {
        String[] parts = list.split(",");
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].trim().toLowerCase(Locale.ROOT);
        }
        return parts;
    }

    static boolean hasToken(String list, String token) {
        return contains(tokens(list), token);
    }

    /** Returns whether {@code name} equals one of {@code lowerCaseTokens}, ignoring ASCII case. */
    static boolean containsToken(String[] lowerCaseTokens, CharSequence name) {
        return contains(lowerCaseTokens, name);
    }

    private static boolean contains(String[] tokens, CharSequence name) {
        for (String token : tokens) {
            if (equalsIgnoreCase(name, token)) {
                return true;
            }
        }
        return false;
    }
}
