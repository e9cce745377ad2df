package dev.junction.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route selection of the {@code http} listener: host, path, methods, headers, query, order, and path normalisation. */
class HttpRoutingTest {

    @TempDir
    static Path directory;
    private static TestGateway gateway;
    private static int port;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        gateway = TestGateway.start(directory, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: wildcard-only
                        match: {host: "*.example.org", path: {prefix: /wild-only}}
                        action: {respond: {body: wildcard-only}}
                      - name: wildcard
                        match: {host: "*.example.org", path: {prefix: /host}}
                        action: {respond: {body: wildcard}}
                      - name: exact-host
                        match: {host: [example.org, Example.Test], path: {prefix: /host}}
                        action: {respond: {body: exact-host}}
                      - name: root
                        match: {path: {exact: /}}
                        action: {respond: {body: root}}
                      - name: a-c
                        match: {path: {exact: /a/c}}
                        action: {respond: {body: a-c}}
                      - name: api-x
                        match: {path: {exact: /api/x}}
                        action: {respond: {body: api-x}}
                      - name: api
                        match: {path: {prefix: /api}}
                        action: {respond: {body: api}}
                      - name: versioned
                        match: {path: {regex: "^/v[0-9]+/"}}
                        action: {respond: {body: versioned}}
                      - name: writes
                        match: {path: {prefix: /m}, methods: [PUT, DELETE]}
                        action: {respond: {body: writes}}
                      - name: reads
                        match: {path: {prefix: /m}, methods: [GET]}
                        action: {respond: {body: reads}}
                      - name: header-exact
                        match: {path: {prefix: /h}, headers: {X-Exact: one}}
                        action: {respond: {body: header-exact}}
                      - name: header-regex
                        match: {path: {prefix: /h}, headers: {x-regex: {regex: "^ab+c$"}}}
                        action: {respond: {body: header-regex}}
                      - name: header-present
                        match: {path: {prefix: /h}, headers: {x-present: {present: true}}}
                        action: {respond: {body: header-present}}
                      - name: header-absent
                        match: {path: {prefix: /h}, headers: {authorization: {present: false}}}
                        action: {respond: {body: header-absent}}
                      - name: query-exact
                        match: {path: {prefix: /q}, query: {mode: fast}}
                        action: {respond: {body: query-exact}}
                      - name: query-regex
                        match: {path: {prefix: /q}, query: {id: {regex: "^[0-9]+$"}}}
                        action: {respond: {body: query-regex}}
                      - name: query-present
                        match: {path: {prefix: /q}, query: {debug: {present: true}}}
                        action: {respond: {body: query-present}}
                      - name: all-conditions
                        match:
                          host: all.example.test
                          path: {prefix: /all}
                          methods: [POST]
                          headers: {x-kind: k}
                          query: {a: b}
                        action: {respond: {body: all-conditions}}
                      - name: first
                        match: {path: {prefix: /first}}
                        action: {respond: {body: first}}
                      - name: first-shadowed
                        match: {path: {prefix: /first/second}}
                        action: {respond: {body: first-shadowed}}
                      - name: echo
                        match: {path: {prefix: /echo}}
                        action: {echo: {}}
                """);
        port = gateway.port(1);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            TestGateway.await(vertx.close());
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String routed(String host, String path) {
        RoutingRawClient.Response response = RoutingRawClient.get(port, host, path);
        return response.status() == 200 ? response.body() : Integer.toString(response.status());
    }

    private static String routed(String request) {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port, request);
        return response.status() == 200 ? response.body() : Integer.toString(response.status());
    }

    @Test
    void exactHostMatchesCaseInsensitivelyWithoutPortOrTrailingDot() {
        assertThat(routed("example.org", "/host")).isEqualTo("exact-host");
        assertThat(routed("EXAMPLE.ORG:8080", "/host")).isEqualTo("exact-host");
        assertThat(routed("example.org.", "/host")).isEqualTo("exact-host");
        assertThat(routed("example.test", "/host")).isEqualTo("exact-host");
        assertThat(routed("other.test", "/host")).isEqualTo("404");
        assertThat(routed("example.org.evil.test", "/host")).isEqualTo("404");
    }

    @Test
    void wildcardHostMatchesOneOrMoreLabelsButNotTheBareDomain() {
        assertThat(routed("a.example.org", "/wild-only")).isEqualTo("wildcard-only");
        assertThat(routed("a.b.example.org", "/wild-only")).isEqualTo("wildcard-only");
        assertThat(routed("WWW.Example.ORG:443", "/wild-only")).isEqualTo("wildcard-only");
        assertThat(routed("www.example.org.", "/wild-only")).isEqualTo("wildcard-only");
        assertThat(routed("example.org", "/wild-only")).isEqualTo("404");
        assertThat(routed("badexample.org", "/wild-only")).isEqualTo("404");
        assertThat(routed("www.example.org.test", "/wild-only")).isEqualTo("404");
        // The wildcard route comes first but does not take the bare domain, which goes on to the exact route.
        assertThat(routed("www.example.org", "/host")).isEqualTo("wildcard");
        assertThat(routed("example.org", "/host")).isEqualTo("exact-host");
    }

    @Test
    void exactPathMatchesOnlyThatPath() {
        assertThat(routed("example.test", "/a/c")).isEqualTo("a-c");
        assertThat(routed("example.test", "/a/c/")).isEqualTo("404");
        assertThat(routed("example.test", "/a/cd")).isEqualTo("404");
        assertThat(routed("example.test", "/")).isEqualTo("root");
    }

    @Test
    void prefixMatchesOnSegmentBoundaries() {
        assertThat(routed("example.test", "/api")).isEqualTo("api");
        assertThat(routed("example.test", "/api/")).isEqualTo("api");
        assertThat(routed("example.test", "/api/users/7")).isEqualTo("api");
        assertThat(routed("example.test", "/api?x=1")).isEqualTo("api");
        assertThat(routed("example.test", "/apix")).isEqualTo("404");
        assertThat(routed("example.test", "/ap")).isEqualTo("404");
    }

    @Test
    void regexIsMatchedAgainstTheWholeNormalisedPath() {
        assertThat(routed("example.test", "/v2/users")).isEqualTo("versioned");
        assertThat(routed("example.test", "/v10/")).isEqualTo("versioned");
        assertThat(routed("example.test", "/v/users")).isEqualTo("404");
        assertThat(routed("example.test", "/x/v2/users")).isEqualTo("404");
        assertThat(routed("example.test", "/v2")).isEqualTo("404");
    }

    @Test
    void methodsSelectRoutes() {
        assertThat(routed("PUT /m HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n")).isEqualTo("writes");
        assertThat(routed("DELETE /m/1 HTTP/1.1\r\nHost: example.test\r\n\r\n")).isEqualTo("writes");
        assertThat(routed("GET /m/1 HTTP/1.1\r\nHost: example.test\r\n\r\n")).isEqualTo("reads");
        assertThat(routed("POST /m HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n")).isEqualTo("404");
        assertThat(routed("PATCH /m HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n")).isEqualTo("404");
    }

    private static String withHeaders(String headers) {
        return routed("GET /h HTTP/1.1\r\nHost: example.test\r\n" + headers + "\r\n");
    }

    @Test
    void headersMatchExactlyByRegexAndByPresence() {
        assertThat(withHeaders("X-Exact: one\r\nAuthorization: a\r\n")).isEqualTo("header-exact");
        assertThat(withHeaders("x-EXACT: one\r\nAuthorization: a\r\n")).isEqualTo("header-exact");
        // Values compare exactly: a different case is another value, so the request falls through to 404.
        assertThat(withHeaders("X-Exact: One\r\nAuthorization: a\r\n")).isEqualTo("404");
        assertThat(withHeaders("X-Regex: abbbc\r\nAuthorization: a\r\n")).isEqualTo("header-regex");
        assertThat(withHeaders("X-Regex: abbbcd\r\nAuthorization: a\r\n")).isEqualTo("404");
        assertThat(withHeaders("X-Present: \r\nAuthorization: a\r\n")).isEqualTo("header-present");
        assertThat(withHeaders("X-Present: anything\r\nAuthorization: a\r\n")).isEqualTo("header-present");
        assertThat(withHeaders("")).isEqualTo("header-absent");
        assertThat(withHeaders("Authorization: a\r\n")).isEqualTo("404");
    }

    @Test
    void queryParametersMatchExactlyByRegexAndByPresence() {
        assertThat(routed("example.test", "/q?mode=fast")).isEqualTo("query-exact");
        assertThat(routed("example.test", "/q?other=1&mode=fast")).isEqualTo("query-exact");
        assertThat(routed("example.test", "/q?mode=f%61st")).isEqualTo("query-exact");
        assertThat(routed("example.test", "/q?mode=slow")).isEqualTo("404");
        assertThat(routed("example.test", "/q?id=123")).isEqualTo("query-regex");
        assertThat(routed("example.test", "/q?id=12a")).isEqualTo("404");
        assertThat(routed("example.test", "/q?debug")).isEqualTo("query-present");
        assertThat(routed("example.test", "/q?debug=")).isEqualTo("query-present");
        assertThat(routed("example.test", "/q")).isEqualTo("404");
    }

    @Test
    void queryParameterNamesAreCaseSensitive() {
        // Unlike header names, query parameter names are data: "Mode" is another parameter than "mode".
        assertThat(routed("example.test", "/q?Mode=fast")).isEqualTo("404");
        assertThat(routed("example.test", "/q?DEBUG")).isEqualTo("404");
    }

    @Test
    void aMalformedQueryOnARouteWithQueryConditionsIsAnsweredNotDropped() {
        // The query cannot be decoded, so no query condition can be judged: the client must get an answer
        // (a 400), never a connection left without a response.
        RoutingRawClient.Response response = RoutingRawClient.get(port, "example.test", "/q?mode=%zz");
        assertThat(response.status()).isEqualTo(400);
    }

    @Test
    void everyConditionOfAMatchMustHold() {
        String good = "POST /all?a=b HTTP/1.1\r\nHost: all.example.test\r\nX-Kind: k\r\nContent-Length: 0\r\n\r\n";
        assertThat(routed(good)).isEqualTo("all-conditions");
        assertThat(routed(good.replace("POST", "PUT"))).isEqualTo("404");
        assertThat(routed(good.replace("all.example.test", "else.example.test"))).isEqualTo("404");
        assertThat(routed(good.replace("X-Kind: k", "X-Kind: q"))).isEqualTo("404");
        assertThat(routed(good.replace("?a=b", "?a=c"))).isEqualTo("404");
        assertThat(routed(good.replace("/all?", "/allx?"))).isEqualTo("404");
    }

    @Test
    void theFirstMatchingRouteInConfigurationOrderWins() {
        assertThat(routed("example.test", "/first/second")).isEqualTo("first");
        assertThat(routed("example.test", "/first/second/third")).isEqualTo("first");
    }

    @Test
    void noMatchingRouteIsA404WithAShortBody() {
        RoutingRawClient.Response response = RoutingRawClient.get(port, "example.test", "/nothing/here");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body()).startsWith("404").hasSizeLessThan(200).doesNotContain("/nothing/here");
        assertThat(response.header("content-type")).startsWith("text/plain");
    }

    @Test
    void dotSegmentsAreRemovedBeforeMatching() {
        assertThat(routed("example.test", "/a/./b/../c")).isEqualTo("a-c");
        assertThat(routed("example.test", "/a/b/../../a/c")).isEqualTo("a-c");
        assertThat(routed("example.test", "/..")).isEqualTo("root");
        assertThat(routed("example.test", "/../../..")).isEqualTo("root");
        assertThat(routed("example.test", "/../api/x")).isEqualTo("api-x");
        assertThat(routed("example.test", "/%2e%2e/api/x")).isEqualTo("api-x");
        assertThat(routed("example.test", "/apix/../api/x")).isEqualTo("api-x");
    }

    @Test
    void percentEncodedUnreservedCharactersAreDecodedBeforeMatching() {
        assertThat(routed("example.test", "/%61pi")).isEqualTo("api");
        assertThat(routed("example.test", "/%61%50%49")).isEqualTo("404"); // /aPI: path matching is case-sensitive
        assertThat(routed("example.test", "/%61pi/%78")).isEqualTo("api-x");
    }

    @Test
    void anEncodedSlashIsNotDecoded() {
        assertThat(routed("example.test", "/api/x")).isEqualTo("api-x");
        assertThat(routed("example.test", "/api%2Fx")).isEqualTo("404");
        assertThat(routed("example.test", "/api%2fx")).isEqualTo("404");
        assertThat(routed("example.test", "/api/x%2F..")).isEqualTo("api");
    }

    @Test
    void anInvalidPercentEncodingIsA400() {
        assertThat(RoutingRawClient.get(port, "example.test", "/%zz").status()).isEqualTo(400);
        assertThat(RoutingRawClient.get(port, "example.test", "/%4").status()).isEqualTo(400);
        assertThat(RoutingRawClient.get(port, "example.test", "/api/%").status()).isEqualTo(400);
        assertThat(RoutingRawClient.get(port, "example.test", "/api/%g0/x").status()).isEqualTo(400);
    }

    @Test
    void echoShowsTheNormalisedPath() {
        RoutingRawClient.Response response = RoutingRawClient.get(port, "example.test",
                "/echo/./x/../%7euser/a%2fb/%41?k=%7e");
        assertThat(response.status()).isEqualTo(200);
        JsonObject echo = new JsonObject(response.body());
        assertThat(echo.getString("path")).isEqualTo("/echo/~user/a%2Fb/A");
        assertThat(echo.getString("query")).isEqualTo("k=%7e");
        assertThat(echo.getString("method")).isEqualTo("GET");
        assertThat(echo.getString("host")).isEqualTo("example.test");
    }

    @Test
    void optionsAsteriskIsAnswered() {
        RoutingRawClient.Response response = RoutingRawClient.exchange(port,
                "OPTIONS * HTTP/1.1\r\nHost: example.test\r\n\r\n");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("content-length")).isEqualTo("0");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            client.send("GET /a/c HTTP/1.1\r\nHost: example.test\r\n\r\n"
                    + "GET /api HTTP/1.1\r\nHost: example.test\r\n\r\n"
                    + "GET /nothing HTTP/1.1\r\nHost: example.test\r\n\r\n"
                    + "GET /first HTTP/1.1\r\nHost: example.test\r\n\r\n");
            assertThat(client.read().body()).isEqualTo("a-c");
            assertThat(client.read().body()).isEqualTo("api");
            assertThat(client.read().status()).isEqualTo(404);
            assertThat(client.read().body()).isEqualTo("first");
        }
    }

    @Test
    void aKeepAliveConnectionServesSuccessiveRequests() {
        try (RoutingRawClient client = new RoutingRawClient(port)) {
            for (int i = 0; i < 3; i++) {
                client.send("GET /api/x HTTP/1.1\r\nHost: example.test\r\n\r\n");
                RoutingRawClient.Response response = client.read();
                assertThat(response.body()).isEqualTo("api-x");
                assertThat(response.header("connection")).isNotEqualToIgnoringCase("close");
            }
        }
    }

    @Test
    void closeAmongTheConnectionOptionsClosesAfterTheResponse() {
        for (String fields : new String[] {"Connection: x-foo, close\r\n",
                "Connection: keep-alive\r\nConnection: Close\r\n", "Connection: close\r\n"}) {
            try (RoutingRawClient client = new RoutingRawClient(port)) {
                client.send("GET /api/x HTTP/1.1\r\nHost: example.test\r\n" + fields + "\r\n"
                        + "GET /first HTTP/1.1\r\nHost: example.test\r\n\r\n");
                RoutingRawClient.Response response = client.read();
                assertThat(response.body()).as(fields).isEqualTo("api-x");
                assertThat(response.header("connection")).as(fields).isEqualToIgnoringCase("close");
                assertThat(client.closedWithin(Duration.ofSeconds(5)))
                        .as("%s: closed, the pipelined request after it unanswered", fields).isTrue();
            }
        }
    }

    @Test
    void theJdkClientIsRoutedLikeTheRawOne() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> api = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/x"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.body()).isEqualTo("api-x");
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/m/1"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.body()).isEqualTo("writes");
    }

    private static String h2(HttpClientAgent client, HttpMethod method, String host, String uri) {
        Future<String> result = client.request(new RequestOptions().setServer(SocketAddress.inetSocketAddress(port,
                        "127.0.0.1")).setHost(host).setPort(port).setMethod(method).setURI(uri))
                .compose(request -> request.send()
                        .compose(response -> {
                            assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
                            return response.body().map(body -> describe(response, body.toString()));
                        }));
        return TestGateway.await(result);
    }

    private static String describe(HttpClientResponse response, String body) {
        return response.statusCode() == 200 ? body : Integer.toString(response.statusCode());
    }

    @Test
    void http2PriorKnowledgeIsRoutedTheSameWay() {
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        try {
            assertThat(h2(client, HttpMethod.GET, "example.test", "/api/x")).isEqualTo("api-x");
            assertThat(h2(client, HttpMethod.GET, "example.test", "/api/y")).isEqualTo("api");
            assertThat(h2(client, HttpMethod.GET, "example.test", "/apix")).isEqualTo("404");
            assertThat(h2(client, HttpMethod.GET, "example.test", "/a/./b/../c")).isEqualTo("a-c");
            assertThat(h2(client, HttpMethod.GET, "example.test", "/%61pi")).isEqualTo("api");
            assertThat(h2(client, HttpMethod.GET, "example.test", "/%zz")).isEqualTo("400");
            assertThat(h2(client, HttpMethod.DELETE, "example.test", "/m")).isEqualTo("writes");
            assertThat(h2(client, HttpMethod.GET, "www.Example.org", "/host")).isEqualTo("wildcard");
            assertThat(h2(client, HttpMethod.GET, "example.org", "/host")).isEqualTo("exact-host");
            assertThat(h2(client, HttpMethod.GET, "example.test", "/q?id=42")).isEqualTo("query-regex");
            JsonObject echo = new JsonObject(h2(client, HttpMethod.GET, "example.test", "/echo/../echo/%7e"));
            assertThat(echo.getString("version")).isEqualTo("h2");
            assertThat(echo.getString("path")).isEqualTo("/echo/~");
        } finally {
            TestGateway.await(client.close());
        }
    }

    @Test
    void theAccessLogHasOneJsonLinePerRequest(@TempDir Path logs) throws Exception {
        Path log = logs.resolve("access.log");
        try (TestGateway logged = TestGateway.start(directory, """
                listeners:
                  logged:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options: {access-log: "%s"}
                    routes:
                      - name: api
                        match: {path: {prefix: /api}}
                        action: {respond: {status: 201, body: made}}
                      - name: echo
                        action: {echo: {}}
                """.formatted(log))) {
            int loggedPort = logged.port(1);
            assertThat(RoutingRawClient.get(loggedPort, "example.test", "/api/x?q=1").status()).isEqualTo(201);
            assertThat(RoutingRawClient.exchange(loggedPort, "POST /echo/./a/%62 HTTP/1.1\r\nHost: Example.Test\r\n"
                    + "Content-Length: 5\r\n\r\nhello").status()).isEqualTo(200);
        }
        // Stopping the gateway flushes and closes the log.
        // The log is written by a background thread: wait for both lines.
        java.util.List<String> lines = awaitLines(log, 2);
        assertThat(lines).hasSize(2);
        // Lines are written when each request ends, by whichever event loop served it: find them by route.
        JsonObject first = lines.stream().map(JsonObject::new).filter(json -> "api".equals(json.getString("route")))
                .findFirst().orElseThrow(() -> new AssertionError("no line for route api: " + lines));
        assertThat(first.getString("listener")).isEqualTo("logged");
        assertThat(first.getString("route")).isEqualTo("api");
        assertThat(first.getString("method")).isEqualTo("GET");
        assertThat(first.getString("path")).isEqualTo("/api/x");
        assertThat(first.getInteger("status")).isEqualTo(201);
        assertThat(first.getString("host")).isEqualTo("example.test");
        assertThat(first.getString("client")).isEqualTo("127.0.0.1");
        JsonObject second = lines.stream().map(JsonObject::new).filter(json -> "echo".equals(json.getString("route")))
                .findFirst().orElseThrow(() -> new AssertionError("no line for route echo: " + lines));
        assertThat(second.getString("route")).isEqualTo("echo");
        assertThat(second.getString("method")).isEqualTo("POST");
        assertThat(second.getString("path")).isEqualTo("/echo/a/b");
        assertThat(second.getInteger("status")).isEqualTo(200);
        assertThat(second.getString("host")).isEqualTo("example.test");
        assertThat(second.getLong("bytes_out")).isPositive();
    }

    @Test
    void theAccessLogAlsoHasRequestsNoRouteMatched(@TempDir Path logs) throws Exception {
        Path log = logs.resolve("access.log");
        try (TestGateway logged = TestGateway.start(directory, """
                listeners:
                  logged:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    options: {access-log: "%s"}
                    routes:
                      - name: api
                        match: {path: {prefix: /api}}
                        action: {respond: {status: 200}}
                """.formatted(log))) {
            assertThat(RoutingRawClient.get(logged.port(1), "example.test", "/elsewhere").status()).isEqualTo(404);
        }
        java.util.List<String> lines = awaitLines(log, 1);
        assertThat(lines).as("one line per request, a 404 included").hasSize(1);
        JsonObject line = new JsonObject(lines.get(0));
        assertThat(line.getInteger("status")).isEqualTo(404);
        assertThat(line.getString("path")).isEqualTo("/elsewhere");
    }

    /** Polls the admin /metrics until the sample equals {@code expected} (or 10 s pass), then returns it. */
    private static double awaitSample(int adminPort, String name, java.util.Map<String, String> labels,
            double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        double value = RoutingMetrics.value(adminPort, name, labels);
        while (value != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            value = RoutingMetrics.value(adminPort, name, labels);
        }
        return value;
    }

    @Test
    void requestsAreCountedByListenerRouteAndStatusClass() throws InterruptedException {
        try (TestGateway counted = TestGateway.start(directory, """
                listeners:
                  counted:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: ok
                        match: {path: {prefix: /ok}}
                        action: {respond: {status: 200, body: ok}}
                      - name: gone
                        match: {path: {prefix: /gone}}
                        action: {respond: {status: 410}}
                admin:
                  address: 127.0.0.1:${PORT_9}
                """)) {
            int countedPort = counted.port(1);
            int adminPort = counted.port(9);
            for (int i = 0; i < 3; i++) {
                assertThat(RoutingRawClient.get(countedPort, "example.test", "/ok/" + i).status()).isEqualTo(200);
            }
            for (int i = 0; i < 2; i++) {
                assertThat(RoutingRawClient.get(countedPort, "example.test", "/gone").status()).isEqualTo(410);
            }
            assertThat(RoutingRawClient.get(countedPort, "example.test", "/none").status()).isEqualTo(404);
            String requests = "junction_http_requests_total";
            assertThat(awaitSample(adminPort, requests,
                    java.util.Map.of("listener", "counted", "route", "ok", "class", "2xx"), 3)).isEqualTo(3);
            assertThat(awaitSample(adminPort, requests,
                    java.util.Map.of("listener", "counted", "route", "gone", "class", "4xx"), 2)).isEqualTo(2);
            String scrape = RoutingMetrics.scrape(adminPort);
            assertThat(RoutingMetrics.value(scrape, requests,
                    java.util.Map.of("listener", "counted", "route", "ok", "class", "4xx"))).isZero();
            assertThat(RoutingMetrics.value(scrape, requests,
                    java.util.Map.of("listener", "counted", "route", "gone", "class", "2xx"))).isZero();
            assertThat(RoutingMetrics.value(scrape, "junction_http_unrouted_total",
                    java.util.Map.of("listener", "counted"))).isEqualTo(1);
            // Labels stay bounded: no path shows up in any sample.
            assertThat(scrape).doesNotContain("/ok/1").doesNotContain("/none");
        }
    }

    private static java.util.List<String> awaitLines(Path log, int count) throws java.io.IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            java.util.List<String> lines = java.nio.file.Files.exists(log)
                    ? java.nio.file.Files.readAllLines(log) : java.util.List.of();
            if (lines.size() >= count || System.nanoTime() > deadline) {
                return lines;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return lines;
            }
        }
    }
}
