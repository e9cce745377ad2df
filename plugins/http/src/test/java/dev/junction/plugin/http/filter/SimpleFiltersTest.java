package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.TestGateway;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header, rewrite, redirect, direct-response, ip-filter and request-size-limit filters through a gateway. */
class SimpleFiltersTest {

    @TempDir
    static Path directory;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateway.start(directory, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: headers
                        match: {path: {prefix: /headers}}
                        filters:
                          - request-headers: {set: {x-set: one}, add: {x-added: two}, remove: [x-drop]}
                          - response-headers: {set: {x-frame-options: DENY}, remove: [x-secret]}
                        action: {proxy: {upstream: echo}}
                      - name: rewrite
                        match: {path: {prefix: /api}}
                        filters:
                          - rewrite: {strip-prefix: /api, add-prefix: /v2}
                        action: {proxy: {upstream: echo}}
                      - name: rewrite-regex
                        match: {path: {prefix: /old}}
                        filters:
                          - rewrite: {regex: {pattern: "^/old/(.*)", replacement: "/new/$1"}}
                        action: {proxy: {upstream: echo}}
                      - name: to-https
                        match: {path: {prefix: /secure}}
                        filters:
                          - redirect: {scheme: https, status: 308}
                        action: {respond: {status: 200, body: "not redirected\\n"}}
                      - name: moved
                        match: {path: {prefix: /moved}}
                        filters:
                          - redirect: {host: example.org, path: /elsewhere, strip-query: true, status: 301}
                        action: {respond: {status: 200, body: "not redirected\\n"}}
                      - name: direct
                        match: {path: {exact: /teapot}}
                        filters:
                          - direct-response: {status: 418, body: "short and stout\\n", headers: {x-kind: teapot}}
                        action: {respond: {status: 200, body: "not direct\\n"}}
                      - name: denied
                        match: {path: {prefix: /denied}}
                        filters:
                          - ip-filter: {deny: [127.0.0.0/8]}
                        action: {respond: {status: 200, body: "through\\n"}}
                      - name: allowed
                        match: {path: {prefix: /allowed}}
                        filters:
                          - ip-filter: {allow: [127.0.0.1/32]}
                        action: {respond: {status: 200, body: "through\\n"}}
                      - name: small
                        match: {path: {prefix: /small}}
                        filters:
                          - request-size-limit: {max-body-size: 16}
                        action: {proxy: {upstream: echo}}
                  upstream-echo:
                    protocol: http
                    address: 127.0.0.1:${PORT_2}
                    routes:
                      - name: echo
                        filters:
                          - response-headers: {set: {x-secret: leaked}}
                        action: {echo: {}}
                upstreams:
                  echo:
                    protocol: http
                    endpoints: [127.0.0.1:${PORT_2}]
                """);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void requestHeadersAreChangedBeforeForwardingAndResponseHeadersBeforeAnswering() {
        HttpResponse<String> response = gateway.send(gateway.request("/headers")
                .header("x-drop", "gone").header("x-set", "replaced").header("x-added", "one"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject headers = new JsonObject(response.body()).getJsonObject("headers");
        assertThat(headers.getValue("x-set")).isEqualTo("one");
        assertThat(headers.getValue("x-added")).asString().contains("one").contains("two");
        assertThat(headers.containsKey("x-drop")).isFalse();
        assertThat(response.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(response.headers().firstValue("x-secret")).isEmpty();
    }

    @Test
    void rewriteStripsAndAddsPrefixesKeepingTheQuery() {
        HttpResponse<String> response = gateway.get("/api/users/7?full=1");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject echoed = new JsonObject(response.body());
        assertThat(echoed.getString("path")).isEqualTo("/v2/users/7");
        assertThat(echoed.getString("query")).isEqualTo("full=1");
    }

    @Test
    void rewriteByRegexUsesGroups() {
        assertThat(new JsonObject(gateway.get("/old/a/b").body()).getString("path")).isEqualTo("/new/a/b");
    }

    @Test
    void redirectToHttpsKeepsHostPathAndQuery() {
        HttpResponse<String> response = gateway.send(gateway.request("/secure/page?x=1"));

        assertThat(response.statusCode()).isEqualTo(308);
        assertThat(response.headers().firstValue("location")).hasValue("https://127.0.0.1/secure/page?x=1");
    }

    @Test
    void redirectToAnotherHostAndPathDropsTheQueryWhenAsked() {
        HttpResponse<String> response = gateway.get("/moved?x=1");

        assertThat(response.statusCode()).isEqualTo(301);
        assertThat(response.headers().firstValue("location")).hasValue("http://example.org/elsewhere");
    }

    @Test
    void directResponseAnswersWithoutTheAction() {
        HttpResponse<String> response = gateway.get("/teapot");

        assertThat(response.statusCode()).isEqualTo(418);
        assertThat(response.body()).isEqualTo("short and stout\n");
        assertThat(response.headers().firstValue("x-kind")).hasValue("teapot");
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    }

    @Test
    void ipFilterDeniesAndAllowsByClientAddress() {
        HttpResponse<String> denied = gateway.get("/denied");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("forbidden\n");

        HttpResponse<String> allowed = gateway.get("/allowed");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("through\n");
    }

    @Test
    void requestSizeLimitRefusesALargerContentLengthWith413() {
        HttpResponse<String> small = gateway.send(gateway.request("/small")
                .POST(HttpRequest.BodyPublishers.ofString("0123456789")));
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(small.body()).contains("0123456789");

        HttpResponse<String> large = gateway.send(gateway.request("/small")
                .POST(HttpRequest.BodyPublishers.ofString("0123456789abcdefXYZ")));
        assertThat(large.statusCode()).isEqualTo(413);
    }

    @Test
    void requestSizeLimitCountsChunkedBodiesAsTheyStream() {
        byte[] body = new byte[64];
        HttpResponse<String> chunked = gateway.send(gateway.request("/small")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
        assertThat(chunked.statusCode()).isEqualTo(413);
    }
}
