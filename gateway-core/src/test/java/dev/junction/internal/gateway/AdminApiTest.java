package dev.junction.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of a running gateway with the class-path {@code fixture} plugin, over real HTTP. */
class AdminApiTest {

    private static final String CONFIG = """
            admin:
              address: 127.0.0.1:0
              token: ${ADMIN_TOKEN}
            listeners:
              in:
                protocol: fixture
                address: 127.0.0.1:7000
                routes:
                  - name: main
                    filters:
                      - first: {}
                    action:
                      forward: {upstream: backend}
            upstreams:
              backend:
                protocol: fixture
                endpoints: [127.0.0.1:7001]
            """;

    @TempDir
    Path directory;

    private Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.shutdown().await(30, TimeUnit.SECONDS);
        }
    }

    private Path start(String yaml, Map<String, String> environment) throws Exception {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, yaml);
        gateway = Gateway.start(file, Optional.empty(), environment).await(30, TimeUnit.SECONDS);
        return file;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://" + gateway.adminAddress().orElseThrow() + path);
    }

    @Test
    void readOnlyEndpointsDescribeTheRunningGatewayWithSecretsRedacted() throws Exception {
        start(CONFIG, Map.of("ADMIN_TOKEN", "s3cret-token"));

        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").body()).contains("\"ready\" : true");
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(metrics.body()).contains("junction_build_info").contains("junction_tasks_started_total{plugin=\"fixture\"}")
                .contains("junction_upstream_endpoints_available{upstream=\"backend\"}");
        HttpResponse<String> config = get("/config");
        assertThat(config.body()).doesNotContain("s3cret-token").contains("<redacted>")
                .contains("\"filters\" : [ \"first\" ]");
        assertThat(get("/plugins").body()).contains("\"name\" : \"fixture\"").contains("listener fixture");
        assertThat(get("/listeners").body()).contains("\"name\" : \"in\"").contains("forward");
        assertThat(get("/upstreams").body()).contains("\"address\" : \"127.0.0.1:7001\"").contains("\"healthy\" : true");
        assertThat(get("/").body()).contains("<title>Junction</title>");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/health")).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(405);
    }

    @Test
    void reloadNeedsTheBearerTokenAndAnInvalidFileChangesNothing() throws Exception {
        Path file = start(CONFIG, Map.of("ADMIN_TOKEN", "s3cret-token"));
        HttpRequest.Builder reload = HttpRequest.newBuilder(uri("/reload")).POST(HttpRequest.BodyPublishers.noBody());

        assertThat(send(reload.copy()).statusCode()).isEqualTo(401);
        assertThat(send(reload.copy().header("Authorization", "Bearer wrong")).statusCode()).isEqualTo(401);

        Files.writeString(file, CONFIG.replace("- first: {}", "- first: {}\n          - second: {}"));
        HttpResponse<String> applied = send(reload.copy().header("Authorization", "Bearer s3cret-token"));
        assertThat(applied.statusCode()).isEqualTo(200);
        assertThat(get("/listeners").body()).contains("\"second\"");

        Files.writeString(file, CONFIG.replace("upstream: backend", "upstream: bakend"));
        HttpResponse<String> rejected = send(reload.copy().header("Authorization", "Bearer s3cret-token"));
        assertThat(rejected.statusCode()).isEqualTo(400);
        assertThat(rejected.body()).contains("unknown upstream 'bakend' (did you mean 'backend'?)");
        assertThat(get("/listeners").body()).as("the running configuration stays").contains("\"second\"");
        assertThat(get("/metrics").body()).contains("junction_config_reloads_total{result=\"failure\"} 1.0")
                .contains("junction_config_reloads_total{result=\"success\"} 1.0");
    }

    @Test
    void withoutATokenStateChangingEndpointsAreOff() throws Exception {
        start(CONFIG.replace("  token: ${ADMIN_TOKEN}\n", ""), Map.of());
        HttpResponse<String> reload = send(HttpRequest.newBuilder(uri("/reload")).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer anything"));
        assertThat(reload.statusCode()).isEqualTo(403);
        assertThat(reload.body()).contains("JUNCTION_ADMIN_TOKEN");
    }
}
