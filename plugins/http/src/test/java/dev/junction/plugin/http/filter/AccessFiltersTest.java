package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.TestGateway;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cors, rate-limit and basic-auth filters through a gateway. */
class AccessFiltersTest {

    @TempDir
    static Path directory;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        String aliceHash = OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), new byte[16], 4);
        Path htpasswd = directory.resolve("htpasswd");
        java.nio.file.Files.writeString(htpasswd, "# users\nbob:" + OpenBSDBCrypt.generate("2y",
                "builder".toCharArray(), "0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 4) + "\n");
        gateway = TestGateway.start(directory, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: cors
                        match: {path: {prefix: /cors}}
                        filters:
                          - cors:
                              allow-origins: ["https://app.example.org", {regex: "https://[a-z]+\\\\.example\\\\.test"}]
                              allow-methods: [GET, PUT]
                              allow-headers: [x-token]
                              expose-headers: [x-total]
                              allow-credentials: true
                              max-age: 10m
                        action: {respond: {status: 200, body: "data\\n", headers: {x-total: "3"}}}
                      - name: cors-any
                        match: {path: {prefix: /public}}
                        filters:
                          - cors: {allow-origins: "*"}
                        action: {respond: {status: 200, body: "public\\n"}}
                      - name: limited
                        match: {path: {prefix: /limited}}
                        filters:
                          - rate-limit: {rate: 2/m, burst: 2, key: "header:x-api-key"}
                        action: {respond: {status: 200, body: "ok\\n"}}
                      - name: private
                        match: {path: {prefix: /private}}
                        filters:
                          - basic-auth:
                              realm: staff
                              users: {alice: "ALICE_HASH"}
                              users-file: HTPASSWD
                        action: {proxy: {upstream: echo}}
                  upstream-echo:
                    protocol: http
                    address: 127.0.0.1:${PORT_2}
                    routes:
                      - name: echo
                        action: {echo: {}}
                upstreams:
                  echo:
                    protocol: http
                    endpoints: [127.0.0.1:${PORT_2}]
                """.replace("ALICE_HASH", aliceHash).replace("HTPASSWD", htpasswd.toString()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void corsPreflightOfAnAllowedOriginIsAnsweredWithEchoedOriginAndCredentials() {
        HttpResponse<String> response = gateway.send(gateway.request("/cors/items")
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://shop.example.test")
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "x-token"));

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("https://shop.example.test");
        assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(response.headers().firstValue("access-control-allow-methods")).hasValue("GET, PUT");
        assertThat(response.headers().firstValue("access-control-allow-headers")).hasValue("x-token");
        assertThat(response.headers().firstValue("access-control-max-age")).hasValue("600");
        assertThat(response.headers().allValues("vary")).anyMatch(v -> v.contains("Origin"));
    }

    @Test
    void corsPreflightOfAnotherOriginIsRefused() {
        HttpResponse<String> response = gateway.send(gateway.request("/cors/items")
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://evil.example.com")
                .header("access-control-request-method", "PUT"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void corsHeadersAreAddedToActualResponsesOfAllowedOriginsOnly() {
        HttpResponse<String> allowed = gateway.send(gateway.request("/cors/items").header("origin",
                "https://app.example.org"));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.org");
        assertThat(allowed.headers().firstValue("access-control-expose-headers")).hasValue("x-total");
        assertThat(allowed.headers().allValues("vary")).anyMatch(v -> v.contains("Origin"));

        HttpResponse<String> other = gateway.send(gateway.request("/cors/items").header("origin",
                "https://evil.example.com"));
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(other.headers().allValues("vary")).anyMatch(v -> v.contains("Origin"));
    }

    @Test
    void corsWithAnyOriginAndNoCredentialsAnswersAStar() {
        HttpResponse<String> response = gateway.send(gateway.request("/public").header("origin",
                "https://anything.example.com"));
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(response.headers().firstValue("access-control-allow-credentials")).isEmpty();
    }

    @Test
    void rateLimitAnswers429WithRetryAfterPerKey() {
        for (int i = 0; i < 2; i++) {
            assertThat(gateway.send(gateway.request("/limited").header("x-api-key", "one")).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = gateway.send(gateway.request("/limited").header("x-api-key", "one"));
        assertThat(limited.statusCode()).isEqualTo(429);
        long retryAfter = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 30L);
        assertThat(limited.body()).isEqualTo("too many requests\n");

        assertThat(gateway.send(gateway.request("/limited").header("x-api-key", "two")).statusCode())
                .as("another key has its own bucket").isEqualTo(200);
    }

    @Test
    void basicAuthAsksForCredentialsAndRefusesWrongOnes() {
        HttpResponse<String> missing = gateway.get("/private");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("www-authenticate"))
                .hasValue("Basic realm=\"staff\", charset=\"UTF-8\"");

        assertThat(gateway.send(gateway.request("/private").header("authorization", basic("alice", "wrong")))
                .statusCode()).isEqualTo(401);
        assertThat(gateway.send(gateway.request("/private").header("authorization", basic("mallory", "x")))
                .statusCode()).isEqualTo(401);
        assertThat(gateway.send(gateway.request("/private").header("authorization", "Basic !!!"))
                .statusCode()).isEqualTo(401);
    }

    @Test
    void basicAuthLetsKnownUsersThroughWithoutForwardingTheirCredentials() {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> alice = gateway.send(gateway.request("/private")
                    .header("authorization", basic("alice", "wonderland")));
            assertThat(alice.statusCode()).isEqualTo(200);
            assertThat(alice.body()).doesNotContain("authorization");
        }
        HttpResponse<String> bob = gateway.send(gateway.request("/private").header("authorization",
                basic("bob", "builder")));
        assertThat(bob.statusCode()).as("a user from the htpasswd file").isEqualTo(200);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
