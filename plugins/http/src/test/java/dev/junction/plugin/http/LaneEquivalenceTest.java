package dev.junction.plugin.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 fast path ({@link Http1Lane}, {@link LaneCall}) against the general path ({@link ProxyCall}): the same
 * corpus of raw requests goes to two gateways that differ only in {@code fast-path}, both in front of one recording
 * {@link RawUpstream} whose answer depends on the request path. For every request, what the upstream received
 * and what the client received must be the same on both gateways, up to what HTTP lets differ (field order across
 * names, field-name case, the framing the body travels in); each case then checks the behaviour both agree on.
 */
class LaneEquivalenceTest {

    private static final String FAST_PATH = "junction_http_fast_path_requests_total";
    /** The request field that tells which case a request the upstream received belongs to. */
    private static final String CASE_FIELD = "x-case";

    /*
     * What is left out of the comparison, each for a reason:
     * - the response field Transfer-Encoding: framing. The fast path forwards the upstream's chunked framing as it
     *   is, and keeps the upstream's "Transfer-Encoding: chunked" on answers without a body (HEAD, 304), where
     *   RFC 9112 6.1 lets it say how a GET's body would have been coded; the general path re-frames, and Vert.x
     *   leaves it out there. Decoded bodies, trailers and whether the body was whole are compared instead, and no
     *   204 may carry it (nor Content-Length) on either path. Content-Length is compared: both keep the upstream's.
     * - the reason phrase of the status line: the fast path passes the upstream's on, the general path writes the
     *   standard one for the code. RFC 9112 4: it carries no meaning, clients ignore it, intermediaries may replace
     *   it.
     * Nothing is left out of the request the upstream received: both paths write it from the same decoded fields,
     * for the same peer address, with nothing connection-specific of their own (no Connection, no Keep-Alive).
     */
    private static final Set<String> FRAMING_FIELDS = Set.of("transfer-encoding");

    @TempDir
    Path dir;

    private RawUpstream upstream;
    private TestGateway fast;
    private TestGateway general;

    @BeforeEach
    void setUp() {
        upstream = new RawUpstream(LaneEquivalenceTest::answer);
        fast = gateway(true);
        general = gateway(false);
    }

    @AfterEach
    void tearDown() {
        try {
            if (fast != null) {
                fast.close();
            }
            if (general != null) {
                general.close();
            }
        } finally {
            upstream.close();
        }
    }

    /**
     * A gateway with two listeners: {@code web} (PORT_1), where no client is trusted, with a route per {@code host}
     * rewrite; and {@code edge} (PORT_2), which trusts loopback as a proxy in front of it.
     */
    private TestGateway gateway(boolean fastPath) {
        return TestGateway.start(dir, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options: {fast-path: %1$s}
                    routes:
                      - name: endpoint-host
                        match: {path: {prefix: /endpoint-host}}
                        action: {proxy: {upstream: app, host: endpoint}}
                      - name: fixed-host
                        match: {path: {prefix: /fixed-host}}
                        action: {proxy: {upstream: app, host: origin.example.org}}
                      - name: app
                        action: {proxy: {upstream: app}}
                  edge:
                    protocol: http
                    address: 127.0.0.1:${PORT_2}
                    options: {fast-path: %1$s, trusted-proxies: [127.0.0.1/32]}
                    routes:
                      - name: edge
                        action: {proxy: {upstream: app}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [%2$s]
                    # the cases that break the upstream on purpose must not take it out of service for the rest
                    passive-health: {consecutive-failures: 0}
                admin:
                  address: 127.0.0.1:${PORT_9}
                """.formatted(fastPath, upstream.address()));
    }

    // The corpus

    /** One request of the corpus: its head as the client sends it (with an {@code X-Case} field added). */
    record Case(String name, boolean trusted, String requestLine, List<String> fields, Consumer<Exchange> check) {

        String method() {
            return requestLine.substring(0, requestLine.indexOf(' '));
        }

        String head() {
            StringBuilder head = new StringBuilder(requestLine).append("\r\n");
            for (String field : fields) {
                head.append(field).append("\r\n");
            }
            return head.append("X-Case: ").append(name).append("\r\n\r\n").toString();
        }
    }

    private static Case web(String name, String requestLine, List<String> fields, Consumer<Exchange> check) {
        return new Case(name, false, requestLine, fields, check);
    }

    private static final String HOST = "Host: example.test";

    private static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        // Host, and the route's host rewrite
        cases.add(web("host-plain", "GET /r/ok/host HTTP/1.1", List.of(HOST), exchange -> {
            exchange.upstreamHas("host", "example.test");
            exchange.upstreamHas("x-forwarded-host", "example.test");
            exchange.upstreamHas("forwarded", "for=127.0.0.1;proto=http;host=example.test");
            exchange.upstreamHas("via", "1.1 junction");
            exchange.clientStatus(200);
            exchange.clientHas("via", "1.1 junction");
            exchange.bodyIs("seen GET /r/ok/host HTTP/1.1 @ host\n");
            exchange.clientHas("content-length", "36");
        }));
        cases.add(web("host-port", "GET /r/ok/port HTTP/1.1", List.of("Host: example.test:8080"), exchange -> {
            exchange.upstreamHas("host", "example.test:8080");
            exchange.upstreamHas("x-forwarded-host", "example.test:8080");
            exchange.upstreamHas("forwarded", "for=127.0.0.1;proto=http;host=\"example.test:8080\"");
        }));
        cases.add(web("host-upper-case", "GET /r/ok/upper HTTP/1.1", List.of("Host: EXAMPLE.Test:8080"), exchange -> {
            exchange.upstreamHas("host", "EXAMPLE.Test:8080");
            exchange.upstreamHas("x-forwarded-host", "EXAMPLE.Test:8080");
        }));
        cases.add(web("host-empty-port", "GET /r/ok/empty-port HTTP/1.1", List.of("Host: example.test:"), exchange -> {
            // RFC 3986 3.2.3: an empty port is the scheme's default; the authority is passed on as the client wrote it.
            exchange.upstreamHas("host", "example.test:");
            exchange.upstreamHas("x-forwarded-host", "example.test:");
        }));
        cases.add(web("host-port-leading-zero", "GET /r/ok/zero-port HTTP/1.1", List.of("Host: example.test:080"),
                exchange -> exchange.upstreamHas("host", "example.test:080")));
        cases.add(web("host-trailing-dot", "GET /r/ok/dot HTTP/1.1", List.of("Host: example.test."),
                exchange -> exchange.upstreamHas("host", "example.test.")));
        cases.add(web("host-ipv6", "GET /r/ok/ipv6 HTTP/1.1", List.of("Host: [::1]:8080"), exchange -> {
            exchange.upstreamHas("host", "[::1]:8080");
            exchange.upstreamHas("forwarded", "for=127.0.0.1;proto=http;host=\"[::1]:8080\"");
        }));
        cases.add(web("host-rewritten-to-endpoint", "GET /endpoint-host/r/ok HTTP/1.1", List.of(HOST), exchange -> {
            exchange.upstreamHas("host", "127.0.0.1:" + exchange.upstreamPort);
            exchange.upstreamHas("x-forwarded-host", "example.test"); // what the client asked for
        }));
        cases.add(web("host-rewritten-to-fixed-name", "GET /fixed-host/r/ok HTTP/1.1",
                List.of("Host: example.test:8080"), exchange -> {
                    exchange.upstreamHas("host", "origin.example.org");
                    exchange.upstreamHas("x-forwarded-host", "example.test:8080");
                }));
        // Forwarding fields from an untrusted client are replaced, from a trusted proxy extended
        List<String> forwarding = List.of(HOST, "X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https",
                "X-Forwarded-Host: shop.example.org", "Forwarded: for=203.0.113.7;proto=https;host=shop.example.org");
        cases.add(web("forwarding-from-untrusted-client", "GET /r/ok/spoof HTTP/1.1", forwarding, exchange -> {
            exchange.upstreamHas("x-forwarded-for", "127.0.0.1");
            exchange.upstreamHas("x-forwarded-proto", "http");
            exchange.upstreamHas("x-forwarded-host", "example.test");
            exchange.upstreamHas("forwarded", "for=127.0.0.1;proto=http;host=example.test");
        }));
        cases.add(new Case("forwarding-from-trusted-proxy", true, "GET /r/ok/trusted HTTP/1.1", forwarding,
                exchange -> {
                    exchange.upstreamHas("x-forwarded-for", "203.0.113.7, 127.0.0.1");
                    exchange.upstreamHas("x-forwarded-proto", "https");
                    exchange.upstreamHas("x-forwarded-host", "shop.example.org");
                    exchange.upstreamHas("forwarded", "for=203.0.113.7;proto=https;host=shop.example.org, "
                            + "for=127.0.0.1;proto=http;host=example.test");
                }));
        cases.add(new Case("forwarding-trusted-proxy-without-fields", true, "GET /r/ok/trusted-bare HTTP/1.1",
                List.of(HOST), exchange -> {
                    exchange.upstreamHas("x-forwarded-for", "127.0.0.1");
                    exchange.upstreamHas("x-forwarded-proto", "http");
                    exchange.upstreamHas("forwarded", "for=127.0.0.1;proto=http;host=example.test");
                }));
        // Repeated fields keep their order
        cases.add(web("duplicate-fields", "GET /r/ok/duplicates HTTP/1.1", List.of(HOST, "Accept: text/html",
                "Cookie: a=1", "Accept: application/json;q=0.9", "Cookie: b=2"), exchange -> {
                    exchange.upstreamHas("accept", "text/html", "application/json;q=0.9");
                    exchange.upstreamHas("cookie", "a=1", "b=2");
                }));
        // Connection and the other hop-by-hop fields
        cases.add(web("connection-close", "GET /r/ok/close HTTP/1.1", List.of(HOST, "Connection: close"),
                exchange -> {
                    exchange.upstreamLacks("connection");
                    exchange.closedAsAnnounced();
                }));
        cases.add(web("connection-close-upper-case", "GET /r/ok/close-upper HTTP/1.1",
                List.of(HOST, "Connection: Close"), Exchange::closedAsAnnounced));
        cases.add(web("connection-keep-alive", "GET /r/ok/keep HTTP/1.1",
                List.of(HOST, "Connection: keep-alive", "Keep-Alive: timeout=5, max=100"), exchange -> {
                    exchange.upstreamLacks("connection", "keep-alive");
                    exchange.clientLacks("connection");
                    exchange.open();
                }));
        cases.add(web("connection-names-a-field", "GET /r/ok/named HTTP/1.1",
                List.of(HOST, "Connection: x-foo", "X-Foo: 1", "X-Kept: yes"), exchange -> {
                    exchange.upstreamLacks("connection", "x-foo");
                    exchange.upstreamHas("x-kept", "yes");
                    exchange.open();
                }));
        cases.add(web("connection-in-two-fields", "GET /r/ok/two-connection HTTP/1.1",
                List.of(HOST, "Connection: x-a", "X-A: 1", "Connection: X-B", "X-B: 2", "X-C: 3"), exchange -> {
                    // RFC 9110 5.3: two Connection field lines are one list; both options are hop-by-hop.
                    exchange.upstreamLacks("connection", "x-a", "x-b");
                    exchange.upstreamHas("x-c", "3");
                    exchange.open();
                }));
        cases.add(web("connection-close-in-a-list", "GET /r/ok/close-list HTTP/1.1",
                List.of(HOST, "Connection: x-foo, close", "X-Foo: 1"), exchange -> {
                    // RFC 9112 9.6: the close option ends the connection after this response, wherever it stands.
                    exchange.upstreamLacks("connection", "x-foo");
                    exchange.closedAsAnnounced();
                }));
        cases.add(web("connection-close-in-a-list-on-an-error", "GET /r/malformed HTTP/1.1",
                List.of(HOST, "Connection: x-foo, close", "X-Foo: 1"), exchange -> {
                    exchange.clientStatus(502);
                    exchange.closedAsAnnounced();
                }));
        cases.add(web("connection-close-then-another-field", "GET /r/ok/close-first HTTP/1.1",
                List.of(HOST, "Connection: close", "Connection: x-foo", "X-Foo: 1"), exchange -> {
                    exchange.upstreamLacks("connection", "x-foo");
                    exchange.closedAsAnnounced();
                }));
        cases.add(web("te-trailers", "GET /r/ok/te-trailers HTTP/1.1",
                List.of(HOST, "TE: trailers, deflate;q=0.5", "Connection: TE"), exchange -> {
                    exchange.upstreamHas("te", "trailers");
                    exchange.upstreamLacks("connection");
                }));
        cases.add(web("te-gzip", "GET /r/ok/te-gzip HTTP/1.1", List.of(HOST, "TE: gzip"),
                exchange -> exchange.upstreamLacks("te")));
        cases.add(web("proxy-connection", "GET /r/ok/proxy-connection HTTP/1.1",
                List.of(HOST, "Proxy-Connection: keep-alive"), exchange -> exchange.upstreamLacks("proxy-connection")));
        cases.add(web("connection-upgrade-without-upgrade", "GET /r/ok/no-upgrade HTTP/1.1",
                List.of(HOST, "Connection: upgrade"), exchange -> {
                    exchange.upstreamLacks("connection", "upgrade");
                    exchange.clientStatus(200);
                    exchange.open();
                }));
        cases.add(web("proxy-authorization", "GET /r/ok/proxy-authorization HTTP/1.1",
                List.of(HOST, "Proxy-Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer abc"), exchange -> {
                    // Credentials for this proxy are consumed here (RFC 9110 11.7.2); the origin's are passed on.
                    exchange.upstreamLacks("proxy-authorization");
                    exchange.upstreamHas("authorization", "Bearer abc");
                }));
        cases.add(web("via-from-client", "GET /r/ok/via HTTP/1.1", List.of(HOST, "Via: 1.1 proxy.example.org"),
                exchange -> exchange.upstreamHas("via", "1.1 proxy.example.org", "1.1 junction")));
        // Request targets
        cases.add(web("percent-encoded-path", "GET /r/ok/%7euser/caf%c3%a9/a%2fb/%41 HTTP/1.1", List.of(HOST),
                exchange -> exchange.upstreamLine("GET /r/ok/~user/caf%C3%A9/a%2Fb/A HTTP/1.1")));
        cases.add(web("dot-segments", "GET /r/ok/a/./b/../c/%2E%2E/d HTTP/1.1", List.of(HOST),
                exchange -> exchange.upstreamLine("GET /r/ok/a/d HTTP/1.1")));
        cases.add(web("odd-query", "GET /r/ok/query?q=a+b&x=%2f&e=%E2%82%AC&empty=&flag&semi=1;2&q=dup&sl=/?&at=@:"
                + "&bang=!$'()*,~ HTTP/1.1", List.of(HOST), exchange -> exchange.upstreamLine(
                "GET /r/ok/query?q=a+b&x=%2f&e=%E2%82%AC&empty=&flag&semi=1;2&q=dup&sl=/?&at=@:&bang=!$'()*,~ "
                        + "HTTP/1.1")));
        cases.add(web("empty-query", "GET /r/ok/empty-query? HTTP/1.1", List.of(HOST),
                exchange -> exchange.upstreamLine("GET /r/ok/empty-query? HTTP/1.1")));
        String longValue = "v".repeat(8000);
        cases.add(web("long-field-value", "GET /r/ok/long HTTP/1.1", List.of(HOST, "X-Long: " + longValue),
                exchange -> exchange.upstreamHas("x-long", longValue)));
        // Methods
        cases.add(web("method-head", "HEAD /r/ok/head HTTP/1.1", List.of(HOST), exchange -> {
            exchange.upstreamLine("HEAD /r/ok/head HTTP/1.1");
            exchange.clientStatus(200);
            exchange.clientHas("content-length",
                    Integer.toString("seen HEAD /r/ok/head HTTP/1.1 @ head\n".length()));
            exchange.bodyIs("");
        }));
        cases.add(web("empty-body-with-content-length", "GET /r/ok/zero-length HTTP/1.1",
                List.of(HOST, "Content-Length: 0"), exchange -> exchange.upstreamHas("content-length", "0")));
        cases.add(web("method-delete", "DELETE /r/ok/item HTTP/1.1", List.of(HOST),
                exchange -> exchange.upstreamLine("DELETE /r/ok/item HTTP/1.1")));
        cases.add(web("method-options", "OPTIONS /r/ok/item HTTP/1.1", List.of(HOST),
                exchange -> exchange.upstreamLine("OPTIONS /r/ok/item HTTP/1.1")));
        // Upstream responses
        cases.add(web("response-chunked-with-trailers", "GET /r/chunked HTTP/1.1", List.of(HOST, "TE: trailers"),
                exchange -> {
                    exchange.clientStatus(200);
                    exchange.bodyIs("hello, world");
                    exchange.trailersAre(List.of("x-checksum: abc", "x-other: def"));
                    exchange.clientHas("trailer", "X-Checksum"); // end-to-end (RFC 9110 6.6.2), like the trailers
                }));
        cases.add(web("response-close-delimited", "GET /r/close-delimited HTTP/1.1", List.of(HOST), exchange -> {
            exchange.answeredAndOpen(200, "until the close\n");
            exchange.clientLacks("connection");
        }));
        cases.add(web("response-close-delimited-http10", "GET /r/close-delimited-10 HTTP/1.1", List.of(HOST),
                exchange -> exchange.answeredAndOpen(200, "until the close\n")));
        cases.add(web("response-upstream-closes-after-length", "GET /r/length-then-close HTTP/1.1", List.of(HOST),
                exchange -> {
                    exchange.answeredAndOpen(200, "closed"); // the upstream's connection ends, not the client's
                    exchange.clientLacks("connection");
                    exchange.clientHas("content-length", "6");
                }));
        cases.add(web("response-http10-keep-alive", "GET /r/http10-keep-alive HTTP/1.1", List.of(HOST),
                exchange -> {
                    exchange.answeredAndOpen(200, "ten");
                    exchange.clientLacks("connection", "keep-alive");
                    exchange.clientHas("via", "1.0 junction"); // RFC 9110 7.6.3: the protocol it was received with
                }));
        cases.add(web("response-204", "GET /r/no-content HTTP/1.1", List.of(HOST), exchange -> {
            exchange.clientStatus(204);
            exchange.clientHas("x-kind", "none");
            exchange.bodyIs("");
        }));
        cases.add(web("response-204-with-stray-transfer-encoding", "GET /r/no-content-chunked HTTP/1.1",
                List.of(HOST), exchange -> exchange.answeredAndOpen(204, "")));
        cases.add(web("response-204-with-content-length", "GET /r/no-content-length HTTP/1.1", List.of(HOST),
                exchange -> exchange.answeredAndOpen(204, "")));
        cases.add(web("response-304-with-etag", "GET /r/not-modified HTTP/1.1",
                List.of(HOST, "If-None-Match: \"v1\""), exchange -> {
                    exchange.answeredAndOpen(304, "");
                    exchange.clientHas("etag", "\"v1\"");
                    exchange.clientHas("cache-control", "max-age=60");
                }));
        cases.add(web("response-304-with-content-length", "GET /r/not-modified-length HTTP/1.1",
                List.of(HOST, "If-None-Match: \"v2\""), exchange -> {
                    exchange.answeredAndOpen(304, "");
                    // RFC 9110 8.6: the length the 200 would have had; not the length of a body here.
                    exchange.clientHas("content-length", "12");
                }));
        cases.add(web("response-304-chunked", "GET /r/not-modified-chunked HTTP/1.1",
                List.of(HOST, "If-None-Match: \"v3\""), exchange -> {
                    exchange.answeredAndOpen(304, "");
                    exchange.clientHas("etag", "\"v3\"");
                }));
        cases.add(web("response-head-with-content-length", "HEAD /r/head-length HTTP/1.1", List.of(HOST),
                exchange -> {
                    exchange.answeredAndOpen(200, "");
                    exchange.clientHas("content-length", "1000");
                }));
        cases.add(web("response-head-chunked", "HEAD /r/head-chunked HTTP/1.1", List.of(HOST), exchange -> {
            exchange.answeredAndOpen(200, "");
            exchange.clientLacks("content-length");
        }));
        cases.add(web("response-early-hints", "GET /r/early-hints HTTP/1.1", List.of(HOST), exchange -> {
            exchange.clientStatus(200);
            exchange.clientLacks("link");
            exchange.bodyIs("final");
        }));
        cases.add(web("response-hop-by-hop-fields", "GET /r/hop-by-hop HTTP/1.1", List.of(HOST), exchange -> {
            exchange.clientStatus(200);
            exchange.clientLacks("connection", "x-bar", "keep-alive", "proxy-connection", "upgrade");
            // Proxy-Authenticate challenges the next outbound client on the response chain (RFC 9110 11.7.1):
            // that is this gateway, not its client, which never chose the upstream as its proxy.
            exchange.clientLacks("proxy-authenticate");
            exchange.clientHas("www-authenticate", "Basic realm=\"origin\"");
            exchange.clientHas("x-visible", "yes");
            exchange.open();
        }));
        cases.add(web("response-connection-in-two-fields", "GET /r/two-connection HTTP/1.1", List.of(HOST),
                exchange -> {
                    exchange.clientLacks("connection", "x-one", "x-two");
                    exchange.clientHas("x-three", "3");
                    exchange.open();
                }));
        cases.add(web("response-set-cookie-twice", "GET /r/cookies HTTP/1.1", List.of(HOST),
                exchange -> exchange.clientHas("set-cookie", "a=1; Path=/", "b=2; Path=/; HttpOnly")));
        cases.add(web("response-reason-phrase", "GET /r/reason HTTP/1.1", List.of(HOST), exchange -> {
            exchange.clientStatus(200);
            exchange.bodyIs("ok");
        }));
        cases.add(web("response-with-via", "GET /r/via HTTP/1.1", List.of(HOST),
                exchange -> exchange.clientHas("via", "1.1 cache.example.org", "1.1 junction")));
        cases.add(web("response-500", "GET /r/server-error HTTP/1.1", List.of(HOST),
                exchange -> exchange.answeredAndOpen(500, "upstream broke\n")));
        cases.add(web("response-malformed", "GET /r/malformed HTTP/1.1", List.of(HOST), exchange -> {
            exchange.upstreamAttempts(1); // a retry goes to another endpoint, and there is none
            exchange.answeredAndOpen(502, "502 Bad Gateway\n");
            exchange.clientLacks("x-leak");
        }));
        cases.add(web("response-reset", "GET /r/reset HTTP/1.1", List.of(HOST), exchange -> {
            exchange.upstreamAttempts(1);
            exchange.answeredAndOpen(502, "502 Bad Gateway\n");
        }));
        cases.add(web("response-reset-mid-body", "GET /r/cut HTTP/1.1", List.of(HOST), exchange -> {
            exchange.upstreamAttempts(1); // the response started: no second try
            exchange.clientStatus(200);
            exchange.clientHas("content-length", "100");
            exchange.incomplete();
            exchange.closed();
        }));
        return cases;
    }

    // The tests

    @Test
    void bothPathsTreatEachRequestOfTheCorpusAlikeOnAFreshConnection() {
        List<String> differences = new ArrayList<>();
        double expectedFastPath = 0;
        for (Case c : corpus()) {
            Observation onFast;
            Observation onGeneral;
            try (Client client = new Client(port(fast, c))) {
                onFast = exchange(client, c);
                // Every request of the corpus qualifies for the fast path: it must have been taken.
                expectedFastPath++;
                assertEquals(expectedFastPath, fastPathRequests(fast), c.name() + ": the fast path was taken");
                onFast = onFast.withOpen(client.probe());
                if (onFast.open) {
                    expectedFastPath++; // the probe
                }
            }
            try (Client client = new Client(port(general, c))) {
                onGeneral = exchange(client, c);
                onGeneral = onGeneral.withOpen(client.probe());
            }
            compare(c, onFast, onGeneral, differences);
        }
        assertEquals(expectedFastPath, fastPathRequests(fast));
        assertEquals(0, fastPathRequests(general), "fast-path: false never takes it");
        assertNoDifferences(differences);
        assertSameRequestMetrics();
    }

    @Test
    void bothPathsTreatTheCorpusAlikeOnOneKeepAliveConnection() {
        List<Case> corpus = corpus();
        List<Observation> onFast = sequentially(fast, corpus);
        assertEquals(onFast.stream().mapToInt(o -> o.attempts).sum(), fastPathRequests(fast),
                "every request took the fast path");
        List<Observation> onGeneral = sequentially(general, corpus);
        assertEquals(0, fastPathRequests(general), "fast-path: false never takes it");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            compare(corpus.get(i), onFast.get(i), onGeneral.get(i), differences);
        }
        assertNoDifferences(differences);
        assertSameRequestMetrics();
    }

    /**
     * Sends the corpus one request after the other on one connection per listener, opening a new one where a
     * response ended the connection; a request that finds its connection closed without a response is sent again
     * on a new one, and the case before it is marked as having closed the connection.
     */
    private List<Observation> sequentially(TestGateway gateway, List<Case> corpus) {
        Map<Integer, Client> clients = new LinkedHashMap<>();
        Map<Integer, Integer> lastOnPort = new LinkedHashMap<>();
        List<Observation> observations = new ArrayList<>();
        try {
            for (Case c : corpus) {
                int port = port(gateway, c);
                Client client = clients.computeIfAbsent(port, Client::new);
                Observation observation = exchange(client, c);
                int attempts = 1;
                if (observation == null) {
                    // Closed without a word: the previous case on this connection did not keep it open.
                    Integer previous = lastOnPort.get(port);
                    if (previous != null) {
                        observations.set(previous, observations.get(previous).withOpen(false));
                    }
                    client.close();
                    client = new Client(port);
                    clients.put(port, client);
                    observation = exchange(client, c);
                    attempts++;
                    if (observation == null) {
                        fail(c.name() + ": a new connection was closed without a response");
                    }
                }
                observation = observation.withAttempts(attempts);
                boolean closes = !observation.complete || "close".equals(observation.field("connection"));
                if (closes) {
                    observation = observation.withOpen(!client.closedWithin(Duration.ofSeconds(5)));
                    client.close();
                    clients.put(port, new Client(port));
                } else {
                    observation = observation.withOpen(true); // until the next request finds it closed
                }
                lastOnPort.put(port, observations.size());
                observations.add(observation);
            }
        } finally {
            clients.values().forEach(Client::close);
        }
        return observations;
    }

    // Exchanges and observations

    /**
     * Sends one case and reads its response; returns null when the connection closed before any byte of one.
     */
    private Observation exchange(Client client, Case c) {
        int before = upstream.requests.size();
        client.send(c.head());
        Client.Response response = client.read(c.method().equals("HEAD"));
        if (response == null) {
            return null;
        }
        List<String> heads = upstream.heads();
        List<String> received = new ArrayList<>(heads.subList(before, heads.size()));
        for (String head : received) {
            assertEquals(List.of(c.name()), fields(head).get(CASE_FIELD),
                    c.name() + ": the upstream received another case's request: " + head);
        }
        return new Observation(received.stream().map(LaneEquivalenceTest::normalised).toList(), response.status(),
                response.fields(), response.body(), response.trailers(), response.complete(), true, 1, received);
    }

    /** What one gateway did with one case. */
    record Observation(List<List<String>> upstream, int status, List<String[]> fields, String body,
            List<String[]> trailers, boolean complete, boolean open, int attempts, List<String> rawUpstream) {

        Observation withOpen(boolean open) {
            return new Observation(upstream, status, fields, body, trailers, complete, open, attempts, rawUpstream);
        }

        Observation withAttempts(int attempts) {
            return new Observation(upstream, status, fields, body, trailers, complete, open, attempts, rawUpstream);
        }

        String field(String name) {
            for (String[] field : fields) {
                if (field[0].equals(name)) {
                    return field[1];
                }
            }
            return null;
        }

        List<String> values(String name) {
            return fields.stream().filter(f -> f[0].equals(name)).map(f -> f[1]).toList();
        }
    }

    /** The view of one observation a case's checks run on. */
    static final class Exchange {
        private final String name;
        private final Observation observation;
        /** The recording upstream's port, which {@code host: endpoint} sends as the Host. */
        private final int upstreamPort;

        Exchange(String name, Observation observation, int upstreamPort) {
            this.name = name;
            this.observation = observation;
            this.upstreamPort = upstreamPort;
        }

        private List<String> upstreamValues(String field) {
            assertFalse(observation.rawUpstream.isEmpty(), name + ": the upstream received nothing");
            return fields(observation.rawUpstream.get(0)).getOrDefault(field, List.of());
        }

        void upstreamHas(String field, String... values) {
            assertEquals(List.of(values), upstreamValues(field), name + ": upstream " + field);
        }

        void upstreamLacks(String... names) {
            for (String field : names) {
                assertEquals(List.of(), upstreamValues(field), name + ": upstream " + field);
            }
        }

        void upstreamAttempts(int count) {
            assertEquals(count, observation.rawUpstream.size(), name + ": requests the upstream received");
        }

        void upstreamLine(String requestLine) {
            assertFalse(observation.rawUpstream.isEmpty(), name + ": the upstream received nothing");
            String head = observation.rawUpstream.get(0);
            assertEquals(requestLine, head.substring(0, head.indexOf("\r\n")), name);
        }

        void clientStatus(int status) {
            assertEquals(status, observation.status, name + ": status");
        }

        void clientHas(String field, String... values) {
            assertEquals(List.of(values), observation.values(field), name + ": client " + field);
        }

        void clientLacks(String... names) {
            for (String field : names) {
                assertEquals(List.of(), observation.values(field), name + ": client " + field);
            }
        }

        void bodyIs(String body) {
            assertTrue(observation.complete, name + ": the body is whole");
            assertEquals(body, observation.body, name + ": body");
        }

        void trailersAre(List<String> trailers) {
            assertEquals(trailers, observation.trailers.stream().map(t -> t[0] + ": " + t[1]).toList(),
                    name + ": trailers");
        }

        /** The client got {@code status} and the whole {@code body}, and the connection stays open after it. */
        void answeredAndOpen(int status, String body) {
            clientStatus(status);
            bodyIs(body);
            open();
        }

        void incomplete() {
            assertFalse(observation.complete, name + ": a body cut short must not look whole");
        }

        void open() {
            assertTrue(observation.open, name + ": the connection stays open");
        }

        void closed() {
            assertFalse(observation.open, name + ": the connection is closed");
        }

        /** The response carried {@code Connection: close}, and the connection closed after it. */
        void closedAsAnnounced() {
            clientHas("connection", "close");
            closed();
        }
    }

    /** Compares what both gateways did with a case, adds each difference, then runs the case's own checks. */
    private void compare(Case c, Observation onFast, Observation onGeneral, List<String> differences) {
        String name = c.name();
        int before = differences.size();
        if (!onFast.upstream.equals(onGeneral.upstream)) {
            differences.add(name + ": upstream received\n    fast:    " + onFast.upstream
                    + "\n    general: " + onGeneral.upstream);
        }
        if (onFast.status != onGeneral.status) {
            differences.add(name + ": status fast " + onFast.status + ", general " + onGeneral.status);
        }
        List<String> fastFields = comparable(onFast.fields);
        List<String> generalFields = comparable(onGeneral.fields);
        if (!fastFields.equals(generalFields)) {
            differences.add(name + ": response fields\n    fast:    " + fastFields + "\n    general: " + generalFields);
        }
        if (!onFast.body.equals(onGeneral.body) || onFast.complete != onGeneral.complete) {
            differences.add(name + ": body fast " + quote(onFast.body) + (onFast.complete ? "" : " (cut short)")
                    + ", general " + quote(onGeneral.body) + (onGeneral.complete ? "" : " (cut short)"));
        }
        List<String> fastTrailers = comparable(onFast.trailers);
        List<String> generalTrailers = comparable(onGeneral.trailers);
        if (!fastTrailers.equals(generalTrailers)) {
            differences.add(name + ": trailers fast " + fastTrailers + ", general " + generalTrailers);
        }
        if (onFast.open != onGeneral.open) {
            differences.add(name + ": connection open after it: fast " + onFast.open + ", general " + onGeneral.open);
        }
        for (Observation observation : List.of(onFast, onGeneral)) {
            // RFC 9110 8.6, RFC 9112 6.1: no Content-Length or Transfer-Encoding on a 204, whatever the upstream said.
            if (observation.status == 204 && (!observation.values("transfer-encoding").isEmpty()
                    || !observation.values("content-length").isEmpty())) {
                differences.add(name + ": a 204 with framing fields: " + comparableAll(observation.fields));
            }
        }
        if (differences.size() == before) {
            c.check().accept(new Exchange(name, onFast, upstream.port()));
        }
    }

    private static void assertNoDifferences(List<String> differences) {
        if (!differences.isEmpty()) {
            fail(differences.size() + " difference(s) between the fast path and the general path:\n"
                    + String.join("\n", differences));
        }
    }

    /** The requests each gateway counted, by listener, route and status class, and per upstream, are the same. */
    private void assertSameRequestMetrics() {
        TestSupport.eventually(() -> assertEquals(requestSamples(fast), requestSamples(general),
                "junction_http_requests_total and junction_http_upstream_requests_total"));
    }

    private static List<String> requestSamples(TestGateway gateway) {
        return Arrays.stream(RoutingMetrics.scrape(gateway.port(9)).split("\n"))
                .filter(line -> line.startsWith("junction_http_requests_total{")
                        || line.startsWith("junction_http_upstream_requests_total{"))
                .sorted().toList();
    }

    private static double fastPathRequests(TestGateway gateway) {
        return RoutingMetrics.value(gateway.port(9), FAST_PATH, Map.of());
    }

    private static int port(TestGateway gateway, Case c) {
        return gateway.port(c.trusted() ? 2 : 1);
    }

    // Normalisation

    /**
     * A request head as comparable: the request line as it is, then the field lines with names in lower case
     * (RFC 9110 5.1: names are case-insensitive), sorted by name only: the order of fields with different names
     * carries no meaning, the order of lines of the same name does (RFC 9110 5.3), so a stable sort keeps it.
     */
    private static List<String> normalised(String head) {
        String[] lines = head.split("\r\n");
        List<String> result = new ArrayList<>();
        result.add(lines[0]);
        List<String[]> fields = new ArrayList<>();
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            fields.add(new String[] {lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip()});
        }
        result.addAll(comparableAll(fields));
        return List.of(result.toArray(String[]::new));
    }

    private static List<String> comparable(List<String[]> fields) {
        return comparableAll(fields.stream().filter(f -> !FRAMING_FIELDS.contains(f[0])).toList());
    }

    private static List<String> comparableAll(List<String[]> fields) {
        return fields.stream().sorted(Comparator.comparing(f -> f[0])).map(f -> f[0] + ": " + f[1]).toList();
    }

    /** The fields of a head by lower-case name, values in order. */
    private static Map<String, List<String>> fields(String head) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            fields.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        return fields;
    }

    private static String quote(String text) {
        return '"' + text.replace("\r", "\\r").replace("\n", "\\n") + '"';
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // The client

    /** A client on a raw socket ({@link RoutingRawClient}): writes request heads, reads responses byte by byte. */
    private static final class Client implements AutoCloseable {
        private final RoutingRawClient connection;
        private final InputStream in;

        /** A response as read: the fields in order with lower-case names, the body decoded from its framing. */
        record Response(int status, List<String[]> fields, String body, List<String[]> trailers, boolean complete) {
        }

        Client(int port) {
            connection = new RoutingRawClient(port);
            in = connection.input();
        }

        void send(String text) {
            try {
                connection.send(text);
            } catch (UncheckedIOException e) {
                // A connection the gateway closed: the read that follows tells.
            }
        }

        /**
         * Reads the final response, after any interim ones; returns null when the connection ends before its
         * first byte.
         */
        Response read(boolean headRequest) {
            try {
                List<String> head = head();
                if (head == null) {
                    return null;
                }
                int status = status(head.get(0));
                while (status >= 100 && status < 200) {
                    head = head();
                    if (head == null) {
                        throw new AssertionError("closed after an interim response");
                    }
                    status = status(head.get(0));
                }
                List<String[]> fields = new ArrayList<>();
                for (String line : head.subList(1, head.size())) {
                    int colon = line.indexOf(':');
                    fields.add(new String[] {line.substring(0, colon).toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).strip()});
                }
                Map<String, List<String>> byName = new LinkedHashMap<>();
                fields.forEach(f -> byName.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]));
                List<String[]> trailers = new ArrayList<>();
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                boolean complete = true;
                if (headRequest || status == 204 || status == 304) {
                    // no body
                } else if (byName.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
                    complete = chunked(body, trailers);
                } else if (byName.containsKey("content-length")) {
                    int length = Integer.parseInt(byName.get("content-length").get(0));
                    byte[] bytes = readNBytes(length);
                    body.write(bytes);
                    complete = bytes.length == length;
                } else {
                    body.write(readToEnd());
                }
                return new Response(status, fields, body.toString(StandardCharsets.ISO_8859_1), trailers, complete);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static int status(String statusLine) {
            if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
                throw new AssertionError("not an HTTP/1.1 status line: " + statusLine);
            }
            return Integer.parseInt(statusLine.substring(9, 12));
        }

        /** Reads a head's lines up to the empty one; null when the stream ends before its first byte. */
        private List<String> head() {
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = connection.crlfLine(lines.isEmpty());
                if (line == null) {
                    return null;
                }
                if (line.isEmpty()) {
                    return lines;
                }
                lines.add(line);
            }
        }

        /** Decodes a chunked body into {@code body}; returns false when the connection ended before its end. */
        private boolean chunked(ByteArrayOutputStream body, List<String[]> trailers) throws IOException {
            while (true) {
                String sizeLine = connection.crlfLine(true);
                if (sizeLine == null) {
                    return false;
                }
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
                if (size == 0) {
                    for (String trailer = connection.crlfLine(true); ; trailer = connection.crlfLine(true)) {
                        if (trailer == null) {
                            return false;
                        }
                        if (trailer.isEmpty()) {
                            return true;
                        }
                        int colon = trailer.indexOf(':');
                        trailers.add(new String[] {trailer.substring(0, colon).toLowerCase(Locale.ROOT),
                                trailer.substring(colon + 1).strip()});
                    }
                }
                byte[] data = readNBytes(size);
                body.write(data);
                if (data.length < size) {
                    return false;
                }
                String end = connection.crlfLine(true);
                if (end == null) {
                    return false;
                }
                assertEquals("", end, "CRLF after the chunk data");
            }
        }

        private byte[] readNBytes(int n) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                while (bytes.size() < n) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    bytes.write(b);
                }
            } catch (SocketException e) {
                // reset: what came is what there is
            }
            return bytes.toByteArray();
        }

        private byte[] readToEnd() throws IOException {
            try {
                return in.readAllBytes();
            } catch (SocketException e) {
                return new byte[0];
            }
        }

        /**
         * Returns whether the connection still carries a request: a probe request is answered; false when the
         * connection ends instead.
         */
        boolean probe() {
            send("GET /r/ok/probe HTTP/1.1\r\nHost: example.test\r\nX-Case: probe\r\n\r\n");
            Response response = read(false);
            if (response == null) {
                return false;
            }
            assertEquals(200, response.status(), "the probe");
            return true;
        }

        /** Waits up to {@code limit} for the peer to close, discarding what arrives; returns whether it did. */
        boolean closedWithin(Duration limit) {
            return connection.closedWithin(limit);
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    // The upstream

    /**
     * Answers as the request's path says ({@code /r/<answer>} anywhere in it); returns whether the connection stays
     * open.
     */
    private static boolean answer(String head, Socket socket, OutputStream out) throws IOException {
        String requestLine = head.substring(0, head.indexOf("\r\n"));
        boolean headRequest = requestLine.startsWith("HEAD ");
        String target = requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
        int r = target.indexOf("/r/");
        String answer = r < 0 ? "ok" : target.substring(r + 3).split("[/?]", 2)[0];
        switch (answer) {
            case "chunked" -> write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTrailer: X-Checksum\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n"
                    + "0\r\nX-Checksum: abc\r\nX-Other: def\r\n\r\n");
            case "close-delimited" -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil ");
                pause(20);
                write(out, "the close\n");
                return false;
            }
            case "close-delimited-10" -> {
                write(out, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close\n");
                return false;
            }
            case "no-content" -> write(out, "HTTP/1.1 204 No Content\r\nX-Kind: none\r\n\r\n");
            case "no-content-chunked" -> write(out, "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked"
                    + "\r\n\r\n");
            case "length-then-close" -> {
                write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 6\r\n\r\nclosed");
                return false;
            }
            case "http10-keep-alive" -> write(out, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                    + "Keep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\nten");
            case "not-modified-chunked" -> write(out, "HTTP/1.1 304 Not Modified\r\nETag: \"v3\"\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            case "no-content-length" -> write(out, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
            case "reason" -> write(out, "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 2\r\n\r\nok");
            case "not-modified" -> write(out, "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
                    + "Cache-Control: max-age=60\r\n\r\n");
            case "not-modified-length" -> write(out, "HTTP/1.1 304 Not Modified\r\nETag: \"v2\"\r\n"
                    + "Content-Length: 12\r\n\r\n");
            case "head-length" -> write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000"
                    + "\r\n\r\n" + (headRequest ? "" : "x".repeat(1000)));
            case "head-chunked" -> write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + (headRequest ? "" : "2\r\nok\r\n0\r\n\r\n"));
            case "early-hints" -> {
                write(out, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
                pause(20);
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");
            }
            case "hop-by-hop" -> write(out, "HTTP/1.1 200 OK\r\nConnection: x-bar, keep-alive\r\nX-Bar: 1\r\n"
                    + "Keep-Alive: timeout=5\r\nProxy-Authenticate: Basic realm=\"upstream-proxy\"\r\n"
                    + "WWW-Authenticate: Basic realm=\"origin\"\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n"
                    + "X-Visible: yes\r\nContent-Length: 2\r\n\r\nok");
            case "two-connection" -> write(out, "HTTP/1.1 200 OK\r\nConnection: x-one\r\nX-One: 1\r\n"
                    + "Connection: X-Two\r\nX-Two: 2\r\nX-Three: 3\r\nContent-Length: 2\r\n\r\nok");
            case "cookies" -> write(out, "HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nContent-Length: 2\r\n"
                    + "Set-Cookie: b=2; Path=/; HttpOnly\r\n\r\nok");
            case "via" -> write(out, "HTTP/1.1 200 OK\r\nVia: 1.1 cache.example.org\r\nContent-Length: 2\r\n"
                    + "\r\nok");
            case "server-error" -> write(out, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 15\r\n\r\nupstream broke\n");
            case "malformed" -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-Leak: yes"
                        + "\r\n\r\n0\r\n\r\n");
                return false;
            }
            case "reset" -> {
                socket.setSoLinger(true, 0);
                return false;
            }
            case "cut" -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly ten..");
                pause(200); // the head and what came of the body reach the client before the reset
                socket.setSoLinger(true, 0);
                return false;
            }
            default -> {
                String body = "seen " + requestLine + " @ " + lastSegment(target) + "\n";
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + (headRequest ? "" : body));
            }
        }
        return true;
    }

    private static String lastSegment(String target) {
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(latin1(text));
        out.flush();
    }
}
