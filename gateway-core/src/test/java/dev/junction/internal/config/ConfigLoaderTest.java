package dev.junction.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static YamlConfigNode parse(String yaml) {
        return ConfigLoader.parse("junction.yaml", yaml, Map.of());
    }

    @Test
    void locationsAreOneBasedLineAndColumnOfTheValue() {
        YamlConfigNode root = parse("""
                listeners:
                  tcp-in:
                    address: 127.0.0.1:8080
                """);

        YamlConfigNode address = root.get("listeners").get("tcp-in").get("address");

        assertThat(address.location()).isEqualTo(new ConfigLocation("junction.yaml", 3, 14));
        assertThat(address.path()).isEqualTo("listeners.tcp-in.address");
        assertThat(root.get("listeners").get("tcp-in").keyLocation("address"))
                .contains(new ConfigLocation("junction.yaml", 3, 5));
        assertThat(root.path()).isEmpty();
        assertThat(root.location()).isEqualTo(new ConfigLocation("junction.yaml", 1, 1));
    }

    @Test
    void syntaxErrorNamesFileLineAndColumnOfTheProblem() {
        assertThatThrownBy(() -> parse("""
                admin:
                  address: 127.0.0.1:9901
                 enabled: true
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:3:2: invalid YAML: expected <block end>, but found '<block mapping start>'"
                        + " (while parsing a block mapping at line 1, column 1)")
                .satisfies(error -> assertThat(((ConfigException) error).location())
                        .isEqualTo(new ConfigLocation("junction.yaml", 3, 2)));
    }

    @Test
    void tabIndentationIsASyntaxErrorAtTheTab() {
        assertThatThrownBy(() -> parse("admin:\n\taddress: 127.0.0.1:9901\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:2:1: invalid YAML: found character '\\t(TAB)' that cannot start any token."
                        + " (Do not use \\t(TAB) for indentation)");
    }

    @Test
    void unclosedFlowMappingIsASyntaxError() {
        assertThatThrownBy(() -> parse("admin: {address: 127.0.0.1:9901\nruntime: {}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:2:8: invalid YAML: expected ',' or '}', but got :"
                        + " (while parsing a flow mapping at line 1, column 8)");
    }

    @Test
    void duplicateKeyIsAnErrorAtTheSecondNamingTheFirst() {
        assertThatThrownBy(() -> parse("""
                upstreams:
                  backend:
                    protocol: tcp
                  backend:
                    protocol: udp
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:4:3: upstreams.backend: duplicate key (first written at line 2, column 3)");
    }

    @Test
    void nonScalarKeyIsAnError() {
        assertThatThrownBy(() -> parse("""
                listeners:
                  ? [a, b]
                  : 1
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:2:5: listeners: a list as a key (expected: a name)");
    }

    @Test
    void emptyFileIsAnEmptyMapping() {
        for (String empty : List.of("", "\n\n", "# only a comment\n", "---\n", "~\n")) {
            YamlConfigNode root = parse(empty);

            assertThat(root.isMap()).as(empty).isTrue();
            assertThat(root.keys()).isEmpty();
            assertThat(root.unwrap()).isEqualTo(Map.of());
            assertThat(root.location()).isEqualTo(new ConfigLocation("junction.yaml", 1, 1));
        }
    }

    @Test
    void severalDocumentsAreAnError() {
        assertThatThrownBy(() -> parse("admin: {}\n---\nruntime: {}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:2:1: invalid YAML: but found another document"
                        + " (expected a single document in the stream at line 1, column 1)");
    }

    @Test
    void everyLoadProblemIsReportedFirstOneThrownOthersSuppressed() {
        ConfigException error = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> parse("""
                admin:
                  token: ${ADMIN_TOKEN}
                  token: again
                runtime:
                  drain-timeout: ${DRAIN}
                """));

        assertThat(error).hasMessage("junction.yaml:2:10: admin.token: environment variable 'ADMIN_TOKEN' is not set"
                + " (write ${ADMIN_TOKEN:-fallback} to give a default)");
        assertThat(error.getSuppressed()).extracting(Throwable::getMessage).containsExactly(
                "junction.yaml:3:3: admin.token: duplicate key (first written at line 2, column 3)",
                "junction.yaml:5:18: runtime.drain-timeout: environment variable 'DRAIN' is not set"
                        + " (write ${DRAIN:-fallback} to give a default)");
    }

    @Test
    void aliasesAreFollowed() {
        YamlConfigNode root = parse("""
                defaults: &limits {max-connections: 10}
                upstreams:
                  app:
                    limits: *limits
                """);

        YamlConfigNode limits = root.get("upstreams").get("app").get("limits");
        assertThat(limits.get("max-connections").asInt()).isEqualTo(10);
        assertThat(limits.get("max-connections").path()).isEqualTo("upstreams.app.limits.max-connections");
    }

    @Test
    void recursiveAliasIsAnError() {
        assertThatThrownBy(() -> parse("endpoints: &self [10.0.0.1:80, *self]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:1:12: endpoints[1]: recursive alias (expected: a finite value)");
    }

    @Test
    void loadReadsTheFileAndNamesItAsGiven(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("gateway.yaml");
        Files.writeString(file, "runtime:\n  drain-timeout: soon\n");

        YamlConfigNode root = ConfigLoader.load(file, Map.of());

        assertThatThrownBy(() -> root.get("runtime").get("drain-timeout").asDuration(null))
                .hasMessage(file + ":2:18: runtime.drain-timeout: \"soon\""
                        + " (expected: a duration such as 250ms, 5s, 10m, 1h)");
    }

    @Test
    void loadOfAMissingFileNamesTheFile(@TempDir Path directory) {
        Path file = directory.resolve("absent.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": file not found");
    }
}
