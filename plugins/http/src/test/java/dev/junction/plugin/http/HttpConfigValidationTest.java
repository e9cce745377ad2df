package dev.junction.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.internal.config.ConfigValidationException;
import dev.junction.internal.gateway.Gateway;
import dev.junction.spi.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration errors of the {@code http} listener, routes and actions fail the gateway's start, at the key. */
class HttpConfigValidationTest {

    @TempDir
    Path directory;

    /** A listener whose route line 8 ({@code match}) and line 9 ({@code action}) the tests replace. */
    private static final String TEMPLATE = """
            listeners:
              web:
                protocol: http
                address: 127.0.0.1:%d
                options: {%s}
                routes:
                  - name: main
                    match: %s
                    action: %s
            upstreams:
              app:
                protocol: http
                endpoints: [127.0.0.1:9]
            %s
            admin:
              address: 127.0.0.1:%d
            """;

    private String yaml(String options, String match, String action, String moreUpstreams) {
        return TEMPLATE.formatted(TestGateway.freePort(), options, match, action, moreUpstreams, TestGateway.freePort());
    }

    /** Starts a gateway that must fail, and returns its problems with the file named {@code junction.yaml}. */
    private List<String> startFails(String yaml, Optional<Path> plugins) throws IOException {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, yaml);
        Throwable failure = catchFailure(() -> TestGateway.await(Gateway.start(file, plugins, Map.of())));
        assertThat(failure).isInstanceOf(ConfigValidationException.class);
        return ((ConfigValidationException) failure).problems().stream().map(ConfigException::getMessage)
                .map(message -> message.replace(file.toString(), "junction.yaml")).toList();
    }

    private List<String> startFails(String yaml) throws IOException {
        return startFails(yaml, Optional.empty());
    }

    private static Throwable catchFailure(Runnable start) {
        try {
            start.run();
        } catch (Throwable e) {
            return e;
        }
        throw new AssertionError("the gateway started");
    }

    @Test
    void theTemplateIsValid() throws IOException {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, yaml("", "{path: {prefix: /}}", "{respond: {status: 204}}", ""));
        Gateway gateway = TestGateway.await(Gateway.start(file, Optional.empty(), Map.of()));
        TestGateway.await(gateway.shutdown());
    }

    @Test
    void anUnknownListenerOptionIsRefusedWithASuggestion() throws IOException {
        List<String> problems = startFails(yaml("max-uri-lenght: 1KiB", "{path: {prefix: /}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:5:")
                .contains("listeners.web.options.max-uri-lenght: unknown key")
                .contains("max-uri-length");
    }

    @Test
    void anOutOfRangeListenerOptionNamesItsKey() throws IOException {
        List<String> problems = startFails(yaml("max-headers: 0", "{path: {prefix: /}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:5:")
                .contains("listeners.web.options.max-headers: 0 (expected: 1-10000)");
    }

    @Test
    void aBadPathRegexIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{path: {regex: \"^/v[0-9+/\"}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.path.regex: \"^/v[0-9+/\" (expected: a regular expression");
    }

    @Test
    void aBadHeaderRegexIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{headers: {x-version: {regex: \"(\"}}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.headers.x-version.regex:")
                .contains("expected: a regular expression");
    }

    @Test
    void anExactPathThatIsNotNormalisedIsRefusedWithTheNormalForm() throws IOException {
        List<String> problems = startFails(yaml("", "{path: {exact: /a/./b/../c}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.path.exact: \"/a/./b/../c\"")
                .contains("\"/a/c\"");
    }

    @Test
    void aPrefixWithAnEncodedUnreservedCharacterIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{path: {prefix: /%61pi}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.path.prefix: \"/%61pi\"")
                .contains("\"/api\"");
    }

    @Test
    void aRelativePathIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{path: {exact: api}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.path.exact: \"api\" (expected: a path starting with /)");
    }

    @Test
    void anEmptyHostListIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{host: []}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.host: [] (expected: at least one host");
    }

    @Test
    void aHostWithAPortOrAMisplacedWildcardIsRefused() throws IOException {
        assertThat(startFails(yaml("", "{host: [example.org:8080]}", "{echo: {}}", ""))).singleElement().asString()
                .contains("listeners.web.routes[0].match.host: \"example.org:8080\"");
        assertThat(startFails(yaml("", "{host: [\"www.*.example.org\"]}", "{echo: {}}", ""))).singleElement().asString()
                .contains("listeners.web.routes[0].match.host: \"www.*.example.org\"");
    }

    @Test
    void anUnknownMatchKeyIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{paht: {prefix: /}}", "{echo: {}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:8:")
                .contains("listeners.web.routes[0].match.paht: unknown key");
    }

    @Test
    void aProxyToAnUpstreamOfAnotherProtocolIsRefused() throws IOException {
        Path plugins = directory.resolve("plugins");
        Files.createDirectories(plugins.resolve("tcp"));
        Files.copy(tcpPluginJar(), plugins.resolve("tcp").resolve("junction-plugin-tcp.jar"));
        String upstream = """
                  raw:
                    protocol: tcp
                    endpoints: [127.0.0.1:9]
                """;
        List<String> problems = startFails(yaml("", "{path: {prefix: /}}", "{proxy: {upstream: raw}}", upstream),
                Optional.of(plugins));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:9:")
                .contains("listeners.web.routes[0].action.proxy.upstream: upstream 'raw' has protocol tcp")
                .contains("expected: protocol http");
    }

    /** The tcp plugin's jar, built beside this module or installed in the local repository. */
    private static Path tcpPluginJar() throws IOException {
        Path built = Path.of("..", "tcp", "target");
        if (Files.isDirectory(built)) {
            try (Stream<Path> files = Files.list(built)) {
                Optional<Path> jar = files.filter(f -> f.getFileName().toString().matches("junction-plugin-tcp-[^-]+\\.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return jar.get();
                }
            }
        }
        Path installed = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "junction",
                "junction-plugin-tcp", "0.1.0", "junction-plugin-tcp-0.1.0.jar");
        assertThat(installed).as("the tcp plugin jar (build plugins/tcp first)").exists();
        return installed;
    }

    @Test
    void respondWithAnInvalidStatusIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{path: {prefix: /}}", "{respond: {status: 99}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:9:")
                .contains("listeners.web.routes[0].action.respond.status: 99 (expected:");
    }

    @Test
    void respondWithAnUnknownKeyIsRefused() throws IOException {
        List<String> problems = startFails(yaml("", "{path: {prefix: /}}", "{respond: {staus: 200}}", ""));
        assertThat(problems).singleElement().asString()
                .startsWith("junction.yaml:9:")
                .contains("listeners.web.routes[0].action.respond.staus: unknown key");
    }

    @Test
    void severalProblemsAreReportedTogether() throws IOException {
        List<String> problems = startFails(yaml("bogus: 1", "{path: {exact: /a/../b}}", "{respond: {status: 1000}}", ""));
        assertThat(problems).hasSizeGreaterThanOrEqualTo(2);
        assertThat(String.join("\n", problems)).contains("listeners.web.options.bogus");
    }

    @Test
    void theExceptionMessageListsEachProblemWithItsKeyPath() throws IOException {
        Path file = directory.resolve("junction.yaml");
        Files.writeString(file, yaml("", "{host: []}", "{echo: {}}", ""));
        assertThatThrownBy(() -> TestGateway.await(Gateway.start(file, Optional.empty(), Map.of())))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining(file + ":8:")
                .hasMessageContaining("listeners.web.routes[0].match.host");
    }
}
