package dev.junction.internal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.spi.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of whole configuration files against the class-path {@code fixture} plugin. */
class GatewayValidationTest {

    @TempDir
    Path directory;

    private List<String> problems(String yaml) throws Exception {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, yaml);
        Gateway.ValidationReport report = Gateway.validate(file, Optional.empty(), Map.of("HOME_PORT", "7000"))
                .await(30, TimeUnit.SECONDS);
        return report.problems().stream().map(ConfigException::getMessage)
                .map(m -> m.replace(file.toString(), "junction.yaml")).toList();
    }

    private static final String VALID = """
            admin:
              address: 127.0.0.1:0
            listeners:
              in:
                protocol: fixture
                address: 127.0.0.1:${HOME_PORT}
                routes:
                  - name: main
                    match: {tag: blue}
                    filters:
                      - first: {}
                      - second: {}
                      - slow: {}
                    action:
                      forward: {upstream: backend}
            upstreams:
              backend:
                protocol: fixture
                endpoints: [127.0.0.1:7001, {address: 127.0.0.1:7002, weight: 2}]
                load-balancer: least-request
                health-check: {interval: 5s}
            """;

    @Test
    void aValidFileHasNoProblems() throws Exception {
        assertThat(problems(VALID)).isEmpty();
    }

    @Test
    void misspeltKeyWrongTypeAndDanglingUpstreamAreAllReportedWithLineColumnAndPath() throws Exception {
        String yaml = """
                runtime:
                  drain-timeout: ten seconds
                listeners:
                  in:
                    protocol: fixture
                    adress: 127.0.0.1:7000
                    routes:
                      - action:
                          forward: {upstream: bakend}
                upstreams:
                  backend:
                    protocol: fixture
                    endpoints: [127.0.0.1:7001]
                """;
        assertThat(problems(yaml)).containsExactly(
                "junction.yaml:2:18: runtime.drain-timeout: \"ten seconds\" (expected: a duration such as 250ms, 5s, 10m, 1h)",
                "junction.yaml:5:5: listeners.in.address: missing required key (expected: host:port such as 127.0.0.1:8080 or [::1]:53)",
                "junction.yaml:6:5: listeners.in.adress: unknown key (did you mean 'address'?)",
                "junction.yaml:9:31: listeners.in.routes[0].action.forward.upstream: unknown upstream 'bakend' (did you mean 'backend'?); defined: backend");
    }

    @Test
    void aProtocolNoPluginProvidesNamesTheLoadedPlugins() throws Exception {
        String yaml = """
                listeners:
                  in:
                    protocol: tcp
                    address: 127.0.0.1:7000
                    routes:
                      - action: {forward: {upstream: backend}}
                """;
        assertThat(problems(yaml)).singleElement().asString()
                .startsWith("junction.yaml:3:15: listeners.in.protocol: no loaded plugin provides listener protocol 'tcp'")
                .contains("loaded plugins: fixture").contains("plugins/tcp/");
    }

    @Test
    void filterOrderConstraintsAreCheckedAtTheOffendingFilter() throws Exception {
        String yaml = VALID.replace("first: {}", "swap").replace("second: {}", "first: {}").replace("swap", "second: {}");
        assertThat(problems(yaml)).singleElement().asString()
                .contains("listeners.in.routes[0].filters[1]")
                .contains("filter 'first' must run before 'second'");
    }

    @Test
    void aBlockingStyleFactoryReturningAnAsyncFilterIsRefused() throws Exception {
        String yaml = VALID.replace("- slow: {}", "- sloppy: {}");
        assertThat(problems(yaml)).singleElement().asString()
                .contains("filter 'sloppy' of plugin fixture declares style BLOCKING but created an asynchronous filter");
    }

    @Test
    void twoListenersOnOneAddressClash() throws Exception {
        String yaml = VALID + """
                  # a second listener on the same port
                """.replace("  # a second listener on the same port\n", "")
                + "";
        String clash = yaml.replace("listeners:\n", """
                listeners:
                  other:
                    protocol: fixture
                    address: 0.0.0.0:7000
                    routes:
                      - action: {forward: {upstream: backend}}
                """);
        assertThat(problems(clash)).singleElement().asString()
                .contains("listeners.in.address").contains("is also used by listener other");
    }

    @Test
    void anInvalidRouteMatchIsReportedByTheListenersPlugin() throws Exception {
        String yaml = VALID.replace("match: {tag: blue}", "match: {color: blue}");
        assertThat(problems(yaml)).singleElement().asString()
                .contains("listeners.in.routes[0].match.color: unknown key");
    }
}
