package dev.junction.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolationTest {

    private static YamlConfigNode parse(String yaml, Map<String, String> environment) {
        return ConfigLoader.parse("junction.yaml", yaml, environment);
    }

    @Test
    void variableIsReplacedAndRemembersItCameFromTheEnvironment() {
        YamlConfigNode admin = parse("""
                admin:
                  token: ${ADMIN_TOKEN}
                  address: 127.0.0.1:9901
                """, Map.of("ADMIN_TOKEN", "s3cret")).get("admin");

        assertThat(admin.get("token").asString()).isEqualTo("s3cret");
        assertThat(admin.get("token").fromEnvironment()).isTrue();
        assertThat(admin.get("address").fromEnvironment()).isFalse();
    }

    @Test
    void unsetVariableIsAnErrorAtTheValueNamingTheVariable() {
        assertThatThrownBy(() -> parse("""
                listeners:
                  tcp-in:
                    address: "${LISTEN_ADDRESS}"
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:3:14: listeners.tcp-in.address: environment variable 'LISTEN_ADDRESS'"
                        + " is not set (write ${LISTEN_ADDRESS:-fallback} to give a default)");
    }

    @Test
    void fallbackIsUsedWhenTheVariableIsUnsetOrEmpty() {
        String yaml = "address: ${ADDRESS:-127.0.0.1:8080}\n";

        YamlConfigNode unset = parse(yaml, Map.of()).get("address");
        YamlConfigNode empty = parse(yaml, Map.of("ADDRESS", "")).get("address");
        YamlConfigNode set = parse(yaml, Map.of("ADDRESS", "0.0.0.0:80")).get("address");

        assertThat(unset.asString()).isEqualTo("127.0.0.1:8080");
        assertThat(unset.fromEnvironment()).isFalse();
        assertThat(empty.asString()).isEqualTo("127.0.0.1:8080");
        assertThat(empty.fromEnvironment()).isFalse();
        assertThat(set.asString()).isEqualTo("0.0.0.0:80");
        assertThat(set.fromEnvironment()).isTrue();
    }

    @Test
    void emptyFallbackGivesAnEmptyStringNotAMissingValue() {
        YamlConfigNode token = parse("token: ${TOKEN:-}\n", Map.of()).get("token");

        assertThat(token.isMissing()).isFalse();
        assertThat(token.asString()).isEmpty();
    }

    @Test
    void doubleDollarBraceEscapesToALiteralDollarBrace() {
        YamlConfigNode root = parse("""
                template: "$${HOME} is not expanded, ${USER} is"
                price: $5 and $$5 stay as written
                """, Map.of("USER", "ada", "HOME", "/home/ada"));

        assertThat(root.get("template").asString()).isEqualTo("${HOME} is not expanded, ada is");
        assertThat(root.get("price").asString()).isEqualTo("$5 and $$5 stay as written");
        assertThat(root.get("price").fromEnvironment()).isFalse();
    }

    @Test
    void severalReferencesInOneScalarAreAllReplaced() {
        Map<String, String> environment = new HashMap<>();
        environment.put("HOST", "example.test");
        environment.put("PORT", "8443");

        YamlConfigNode address = parse("address: ${HOST}:${PORT}  # a comment\n",
                environment).get("address");

        assertThat(address.asString()).isEqualTo("example.test:8443");
        assertThat(address.asAddress().host()).isEqualTo("example.test");
        assertThat(address.asAddress().port()).isEqualTo(8443);
    }

    @Test
    void interpolationAppliesToListElementsButNeverToKeys() {
        YamlConfigNode root = parse("""
                ${KEY}: value
                endpoints:
                  - ${FIRST}
                  - '${SECOND:-10.0.0.2:80}'
                """, Map.of("KEY", "replaced", "FIRST", "10.0.0.1:80"));

        assertThat(root.keys()).containsExactly("${KEY}", "endpoints");
        assertThat(root.get("endpoints").unwrap()).isEqualTo(java.util.List.of("10.0.0.1:80", "10.0.0.2:80"));
    }

    @Test
    void plainValueFilledFromTheEnvironmentIsTypedByItsText() {
        YamlConfigNode root = parse("""
                port: ${PORT}
                enabled: ${ENABLED}
                quoted: "${PORT}"
                """, Map.of("PORT", "8080", "ENABLED", "false"));

        assertThat(root.get("port").asInt()).isEqualTo(8080);
        assertThat(root.get("enabled").asBoolean(true)).isFalse();
        assertThat(root.unwrap()).isEqualTo(Map.of("port", 8080, "enabled", false, "quoted", "8080"));
    }

    @Test
    void unterminatedReferenceIsAnError() {
        assertThatThrownBy(() -> parse("token: abc${TOKEN\n", Map.of()))
                .hasMessage("junction.yaml:1:8: token: unterminated \"${\" in \"abc${TOKEN\""
                        + " (expected: ${NAME} or ${NAME:-fallback}; write $${ for a literal ${)");
    }

    @Test
    void invalidVariableNameIsAnError() {
        assertThatThrownBy(() -> parse("token: ${MY TOKEN}\n", Map.of()))
                .hasMessage("junction.yaml:1:8: token: invalid variable reference \"${MY TOKEN}\""
                        + " (expected: ${NAME} or ${NAME:-fallback}; write $${ for a literal ${)");
    }

    @Test
    void unquotedReferenceInsideAFlowCollectionIsASyntaxErrorWithAHint() {
        assertThatThrownBy(() -> parse("endpoints: [${FIRST}, 10.0.0.2:80]\n", Map.of("FIRST", "10.0.0.1:80")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:1:14: invalid YAML: expected ',' or ']', but got {"
                        + " (while parsing a flow sequence at line 1, column 12);"
                        + " quote values holding ${...} inside [...] or {...}");
        assertThat(parse("endpoints: [\"${FIRST}\", 10.0.0.2:80]\n", Map.of("FIRST", "10.0.0.1:80"))
                .get("endpoints").unwrap()).isEqualTo(java.util.List.of("10.0.0.1:80", "10.0.0.2:80"));
    }
}
