package dev.junction.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigLocation;
import dev.junction.spi.config.ConfigNode;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlConfigNodeTest {

    enum LoadBalancer { ROUND_ROBIN, LEAST_REQUEST, RANDOM, CONSISTENT_HASH }

    private static YamlConfigNode parse(String yaml) {
        return ConfigLoader.parse("junction.yaml", yaml, Map.of());
    }

    /** Returns the node at {@code key} of a one-line document {@code key: value}. */
    private static YamlConfigNode value(String key, String value) {
        return parse(key + ": " + value + "\n").get(key);
    }

    @Test
    void misspeltKeyNamesLineColumnAndSuggestion() {
        YamlConfigNode root = parse("""
                # Junction configuration
                admin:
                  address: 127.0.0.1:9901

                listeners:
                  tcp-in:
                    adress: 127.0.0.1:8080
                    protocol: tcp
                """);

        assertThatThrownBy(() -> root.get("listeners").get("tcp-in").checkKeys("protocol", "address", "routes"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:7:5: listeners.tcp-in.adress: unknown key (did you mean 'address'?)");
    }

    @Test
    void unknownKeyWithoutSuggestionListsTheAllowedKeys() {
        YamlConfigNode admin = parse("admin:\n  colour: blue\n").get("admin");

        assertThatThrownBy(() -> admin.checkKeys("address", "enabled", "token"))
                .hasMessage("junction.yaml:2:3: admin.colour: unknown key (expected one of: address, enabled, token)");
    }

    @Test
    void unknownKeyWhereNoKeysAreAllowedSaysSo() {
        assertThatThrownBy(() -> parse("options:\n  anything: 1\n").get("options").checkKeys())
                .hasMessage("junction.yaml:2:3: options.anything: unknown key (expected no keys here)");
    }

    @Test
    void prefixAndCaseDifferencesAreSuggested() {
        YamlConfigNode options = parse("options:\n  idle: 1s\n  Connect-Timeout: 2s\n").get("options");

        ConfigException error = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> options.checkKeys("idle-timeout", "connect-timeout"));

        assertThat(error).hasMessage("junction.yaml:2:3: options.idle: unknown key (did you mean 'idle-timeout'?)");
        assertThat(error.getSuppressed()).extracting(Throwable::getMessage).containsExactly(
                "junction.yaml:3:3: options.Connect-Timeout: unknown key (did you mean 'connect-timeout'?)");
    }

    @Test
    void everyUnknownKeyIsReportedAtItsOwnLocation() {
        YamlConfigNode root = parse("""
                adminn: {}
                runtime: {}
                listener: {}
                """);
        ConfigProblems problems = new ConfigProblems();

        problems.run(() -> root.checkKeys("admin", "runtime", "listeners", "upstreams"));

        assertThat(problems.problems()).extracting(Throwable::getMessage).containsExactly(
                "junction.yaml:1:1: adminn: unknown key (did you mean 'admin'?)",
                "junction.yaml:3:1: listener: unknown key (did you mean 'listeners'?)");
    }

    @Test
    void checkKeysPassesKnownKeysAndMissingValues() {
        YamlConfigNode root = parse("admin:\n  address: 127.0.0.1:9901\n");

        assertThat(root.get("admin").checkKeys("address", "enabled")).isSameAs(root.get("admin"));
        assertThat(root.get("runtime").checkKeys("drain-timeout").isMissing()).isTrue();
    }

    @Test
    void checkKeysOnAScalarExpectsAMapping() {
        assertThatThrownBy(() -> value("admin", "on").checkKeys("address"))
                .hasMessage("junction.yaml:1:8: admin: \"on\" (expected: a mapping)");
    }

    @Test
    void pathsNameKeysAndListIndexes() {
        YamlConfigNode root = parse("""
                listeners:
                  tcp-in:
                    routes:
                      - name: first
                        action:
                          proxy: {upstream: backend}
                """);

        ConfigNode upstream = root.get("listeners").get("tcp-in").get("routes").elements().get(0)
                .get("action").get("proxy").get("upstream");

        assertThat(upstream.path()).isEqualTo("listeners.tcp-in.routes[0].action.proxy.upstream");
        assertThat(upstream.location()).isEqualTo(new ConfigLocation("junction.yaml", 6, 29));
        assertThat(upstream.error("unknown upstream 'bakend' (did you mean 'backend'?)"))
                .hasMessage("junction.yaml:6:29: listeners.tcp-in.routes[0].action.proxy.upstream:"
                        + " unknown upstream 'bakend' (did you mean 'backend'?)");
        assertThat(parse("- a\n- b\n").elements().get(1).path()).isEqualTo("[1]");
    }

    @Test
    void getOnAScalarOrListExpectsAMapping() {
        YamlConfigNode root = parse("name: abc\nendpoints: [a, b]\n");

        assertThatThrownBy(() -> root.get("name").get("x"))
                .hasMessage("junction.yaml:1:7: name: \"abc\" (expected: a mapping)");
        assertThatThrownBy(() -> root.get("endpoints").get("x"))
                .hasMessage("junction.yaml:2:12: endpoints: a list (expected: a mapping)");
        assertThatThrownBy(() -> root.get("endpoints").keys())
                .hasMessage("junction.yaml:2:12: endpoints: a list (expected: a mapping)");
        assertThatThrownBy(() -> root.get("endpoints").entries())
                .hasMessage("junction.yaml:2:12: endpoints: a list (expected: a mapping)");
    }

    @Test
    void elementsOnAMappingExpectsAList() {
        assertThatThrownBy(() -> parse("endpoints:\n  a: 1\n").get("endpoints").elements())
                .hasMessage("junction.yaml:2:3: endpoints: a mapping (expected: a list)");
    }

    @Test
    void keysAndEntriesKeepFileOrder() {
        YamlConfigNode root = parse("zeta: 1\nalpha: 2\nmid: 3\n");

        assertThat(root.keys()).containsExactly("zeta", "alpha", "mid");
        assertThat(root.entries().keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(root.entries().get("alpha").asInt()).isEqualTo(2);
    }

    @Test
    void missingValueIsEmptyAndReportsItsParentsLocation() {
        YamlConfigNode root = parse("admin:\n  enabled: true\n");
        YamlConfigNode absent = root.get("admin").get("token");

        assertThat(absent.isMissing()).isTrue();
        assertThat(absent.isMap() || absent.isList() || absent.isScalar()).isFalse();
        assertThat(absent.path()).isEqualTo("admin.token");
        assertThat(absent.location()).isEqualTo(new ConfigLocation("junction.yaml", 2, 3));
        assertThat(absent.keys()).isEmpty();
        assertThat(absent.entries()).isEmpty();
        assertThat(absent.elements()).isEmpty();
        assertThat(absent.get("deeper").get("still").isMissing()).isTrue();
        assertThat(absent.unwrap()).isNull();
        assertThat(absent.asOptionalString()).isEmpty();
        assertThatThrownBy(absent::asString)
                .hasMessage("junction.yaml:2:3: admin.token: missing required key (expected: a string)");
        assertThatThrownBy(absent::asInt)
                .hasMessage("junction.yaml:2:3: admin.token: missing required key (expected: an integer)");
        assertThatThrownBy(absent::asAddress).hasMessage("junction.yaml:2:3: admin.token: missing required key"
                + " (expected: host:port such as 127.0.0.1:8080 or [::1]:53)");
    }

    @Test
    void yamlNullCountsAsMissingAndIsReportedAtItsKey() {
        YamlConfigNode root = parse("""
                admin:
                  token:
                  address: ~
                  enabled: null
                """);
        YamlConfigNode admin = root.get("admin");

        for (String key : List.of("token", "address", "enabled")) {
            assertThat(admin.get(key).isMissing()).as(key).isTrue();
        }
        assertThat(admin.keys()).containsExactly("token", "address", "enabled");
        assertThat(admin.get("token").asString("default")).isEqualTo("default");
        assertThat(admin.get("enabled").asBoolean(true)).isTrue();
        assertThatThrownBy(() -> admin.get("address").asAddress())
                .hasMessage("junction.yaml:3:3: admin.address: missing required key"
                        + " (expected: host:port such as 127.0.0.1:8080 or [::1]:53)");
        assertThat(root.unwrap()).isEqualTo(Map.of("admin", nullValues("token", "address", "enabled")));
    }

    @Test
    void stringsComeFromAnyScalar() {
        YamlConfigNode root = parse("name: abc\nport: 8080\nflag: true\nratio: 1.5\n");

        assertThat(root.get("name").asString()).isEqualTo("abc");
        assertThat(root.get("port").asString()).isEqualTo("8080");
        assertThat(root.get("flag").asString("x")).isEqualTo("true");
        assertThat(root.get("ratio").asOptionalString()).contains("1.5");
        assertThat(root.get("absent").asString(null)).isNull();
        assertThatThrownBy(() -> parse("name: [a]\n").get("name").asString())
                .hasMessage("junction.yaml:1:7: name: a list (expected: a string)");
    }

    @Test
    void integersAcceptYamlIntegersAndQuotedDigits() {
        assertThat(value("port", "8080").asInt()).isEqualTo(8080);
        assertThat(value("port", "\"8080\"").asInt()).isEqualTo(8080);
        assertThat(value("offset", "-12").asInt()).isEqualTo(-12);
        assertThat(value("mask", "0x1F").asInt()).isEqualTo(31);
        assertThat(value("mode", "0o17").asInt(0)).isEqualTo(15);
        assertThat(value("count", "5000000000").asLong(0)).isEqualTo(5_000_000_000L);
        assertThat(parse("{}").get("count").asInt(7)).isEqualTo(7);
        assertThat(parse("{}").get("count").asLong(7L)).isEqualTo(7L);
    }

    @Test
    void integersRejectWordsFloatsAndOverflow() {
        assertThatThrownBy(() -> value("port", "abc").asInt())
                .isInstanceOf(ConfigException.class)
                .hasMessage("junction.yaml:1:7: port: \"abc\" (expected: an integer)");
        assertThatThrownBy(() -> value("port", "80.5").asInt(1))
                .hasMessage("junction.yaml:1:7: port: 80.5 (expected: an integer)");
        assertThatThrownBy(() -> value("port", "\"0x50\"").asInt())
                .hasMessage("junction.yaml:1:7: port: \"0x50\" (expected: an integer)");
        assertThatThrownBy(() -> value("count", "5000000000").asInt())
                .hasMessage("junction.yaml:1:8: count: 5000000000"
                        + " (expected: an integer from -2147483648 to 2147483647)");
        assertThatThrownBy(() -> value("count", "true").asLong(0))
                .hasMessage("junction.yaml:1:8: count: true (expected: an integer)");
    }

    @Test
    void portsRangeFromOneTo65535() {
        assertThat(value("port", "65535").asPort()).isEqualTo(65535);
        assertThatThrownBy(() -> value("port", "70000").asPort())
                .hasMessage("junction.yaml:1:7: port: 70000 (expected: 1-65535)");
        assertThatThrownBy(() -> value("port", "0").asPort())
                .hasMessage("junction.yaml:1:7: port: 0 (expected: 1-65535)");
    }

    @Test
    void booleansAreOnlyTrueOrFalse() {
        assertThat(value("enabled", "true").asBoolean(false)).isTrue();
        assertThat(value("enabled", "false").asBoolean(true)).isFalse();
        assertThat(value("enabled", "True").asBoolean(false)).isTrue();
        assertThat(value("enabled", "\"false\"").asBoolean(true)).isFalse();
        assertThat(parse("{}").get("enabled").asBoolean(true)).isTrue();
        assertThatThrownBy(() -> value("enabled", "yes please").asBoolean(false))
                .hasMessage("junction.yaml:1:10: enabled: \"yes please\" (expected: true or false)");
        assertThatThrownBy(() -> value("enabled", "yes").asBoolean(false))
                .hasMessage("junction.yaml:1:10: enabled: \"yes\" (expected: true or false)");
        assertThatThrownBy(() -> value("enabled", "1").asBoolean(false))
                .hasMessage("junction.yaml:1:10: enabled: 1 (expected: true or false)");
    }

    @Test
    void durationsTakeEveryDocumentedUnitAndBareZero() {
        assertThat(value("timeout", "250ms").asDuration(null)).isEqualTo(Duration.ofMillis(250));
        assertThat(value("timeout", "5s").asDuration(null)).isEqualTo(Duration.ofSeconds(5));
        assertThat(value("timeout", "10m").asDuration(null)).isEqualTo(Duration.ofMinutes(10));
        assertThat(value("timeout", "1h").asDuration(null)).isEqualTo(Duration.ofHours(1));
        assertThat(value("timeout", "2d").asDuration(null)).isEqualTo(Duration.ofDays(2));
        assertThat(value("timeout", "0").asDuration(null)).isEqualTo(Duration.ZERO);
        assertThat(value("timeout", "0s").asDuration(null)).isEqualTo(Duration.ZERO);
        assertThat(parse("{}").get("timeout").asDuration(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void durationWithoutUnitOrInWordsIsAnError() {
        YamlConfigNode root = parse("""
                listeners:
                  tcp-in:
                    options:
                      idle-timeout: ten minutes
                      connect-timeout: 5
                      drain-timeout: -5s
                """);
        YamlConfigNode options = root.get("listeners").get("tcp-in").get("options");

        assertThatThrownBy(() -> options.get("idle-timeout").asDuration(Duration.ZERO))
                .hasMessage("junction.yaml:4:21: listeners.tcp-in.options.idle-timeout: \"ten minutes\""
                        + " (expected: a duration such as 250ms, 5s, 10m, 1h)");
        assertThatThrownBy(() -> options.get("connect-timeout").asDuration(Duration.ZERO))
                .hasMessage("junction.yaml:5:24: listeners.tcp-in.options.connect-timeout: 5"
                        + " (expected: a duration such as 250ms, 5s, 10m, 1h)");
        assertThatThrownBy(() -> options.get("drain-timeout").asDuration(Duration.ZERO))
                .hasMessage("junction.yaml:6:22: listeners.tcp-in.options.drain-timeout: \"-5s\""
                        + " (expected: a duration such as 250ms, 5s, 10m, 1h)");
        assertThatThrownBy(() -> value("timeout", "99999999999999999999d").asDuration(null))
                .hasMessage("junction.yaml:1:10: timeout: \"99999999999999999999d\""
                        + " (expected: a duration such as 250ms, 5s, 10m, 1h)");
    }

    @Test
    void byteSizesTakeBinaryAndDecimalUnits() {
        assertThat(value("size", "512").asBytes(0)).isEqualTo(512);
        assertThat(value("size", "64KiB").asBytes(0)).isEqualTo(64 * 1024);
        assertThat(value("size", "16MiB").asBytes(0)).isEqualTo(16 * 1024 * 1024);
        assertThat(value("size", "1GiB").asBytes(0)).isEqualTo(1L << 30);
        assertThat(value("size", "2KB").asBytes(0)).isEqualTo(2_000);
        assertThat(value("size", "3MB").asBytes(0)).isEqualTo(3_000_000);
        assertThat(value("size", "4GB").asBytes(0)).isEqualTo(4_000_000_000L);
        assertThat(parse("{}").get("size").asBytes(99)).isEqualTo(99);
        assertThatThrownBy(() -> value("size", "16 megs").asBytes(0))
                .hasMessage("junction.yaml:1:7: size: \"16 megs\" (expected: a byte size such as 512, 64KiB, 16MiB, 1GiB)");
        assertThatThrownBy(() -> value("size", "-1").asBytes(0))
                .hasMessage("junction.yaml:1:7: size: -1 (expected: a byte size such as 512, 64KiB, 16MiB, 1GiB)");
        assertThatThrownBy(() -> value("size", "99999999999GiB").asBytes(0))
                .hasMessage("junction.yaml:1:7: size: \"99999999999GiB\""
                        + " (expected: a byte size such as 512, 64KiB, 16MiB, 1GiB)");
    }

    @Test
    void addressesAreHostPortWithBracketedIpv6AndPortZero() {
        SocketAddress ipv4 = value("address", "127.0.0.1:8080").asAddress();
        SocketAddress name = value("address", "example.test:53").asAddress();
        SocketAddress ipv6 = value("address", "\"[::1]:53\"").asAddress();
        SocketAddress anyPort = value("address", "127.0.0.1:0").asAddress();

        assertThat(ipv4.host()).isEqualTo("127.0.0.1");
        assertThat(ipv4.port()).isEqualTo(8080);
        assertThat(name.host()).isEqualTo("example.test");
        assertThat(name.port()).isEqualTo(53);
        assertThat(ipv6.host()).isEqualTo("::1");
        assertThat(ipv6.port()).isEqualTo(53);
        assertThat(anyPort.port()).isZero();
    }

    @Test
    void malformedAddressesAreErrors() {
        String expected = " (expected: host:port such as 127.0.0.1:8080 or [::1]:53)";
        for (String written : List.of("host", "host:", ":8080", "::1:53", "[::1]53", "host:http", "8080",
                "a b:80")) {
            assertThatThrownBy(() -> parse("address: \"" + written + "\"\n").get("address").asAddress())
                    .as(written)
                    .hasMessage("junction.yaml:1:10: address: \"" + written + "\"" + expected);
        }
        assertThatThrownBy(() -> value("address", "8080").asAddress())
                .hasMessage("junction.yaml:1:10: address: 8080" + expected);
        assertThatThrownBy(() -> value("address", "127.0.0.1:70000").asAddress())
                .hasMessage("junction.yaml:1:10: address: \"127.0.0.1:70000\" (expected: port 0-65535)");
    }

    @Test
    void enumsTakeKebabCaseAndSuggestTheClosest() {
        assertThat(value("load-balancer", "round-robin").asEnum(LoadBalancer.class, null))
                .isEqualTo(LoadBalancer.ROUND_ROBIN);
        assertThat(value("load-balancer", "consistent-hash").asEnum(LoadBalancer.class, null))
                .isEqualTo(LoadBalancer.CONSISTENT_HASH);
        assertThat(parse("{}").get("load-balancer").asEnum(LoadBalancer.class, LoadBalancer.RANDOM))
                .isEqualTo(LoadBalancer.RANDOM);
        assertThatThrownBy(() -> value("load-balancer", "round-robbin").asEnum(LoadBalancer.class, null))
                .hasMessage("junction.yaml:1:16: load-balancer: \"round-robbin\" (expected: one of round-robin,"
                        + " least-request, random, consistent-hash; did you mean 'round-robin'?)");
        assertThatThrownBy(() -> value("load-balancer", "ROUND_ROBIN").asEnum(LoadBalancer.class, null))
                .hasMessage("junction.yaml:1:16: load-balancer: \"ROUND_ROBIN\" (expected: one of round-robin,"
                        + " least-request, random, consistent-hash; did you mean 'round-robin'?)");
        assertThatThrownBy(() -> value("load-balancer", "fastest").asEnum(LoadBalancer.class, null))
                .hasMessage("junction.yaml:1:16: load-balancer: \"fastest\" (expected: one of round-robin,"
                        + " least-request, random, consistent-hash)");
    }

    @Test
    void unwrapGivesPlainJavaValuesInFileOrder() {
        YamlConfigNode root = parse("""
                name: gateway
                port: 8080
                big: 5000000000
                ratio: 0.25
                infinite: .inf
                enabled: false
                nothing: ~
                endpoints: [10.0.0.1:80, {address: 10.0.0.2:80, weight: 3}]
                """);

        Object plain = root.unwrap();

        assertThat(plain).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) plain;
        assertThat(map.keySet()).containsExactly("name", "port", "big", "ratio", "infinite", "enabled", "nothing",
                "endpoints");
        assertThat(map.get("name")).isEqualTo("gateway");
        assertThat(map.get("port")).isEqualTo(8080);
        assertThat(map.get("big")).isEqualTo(5_000_000_000L);
        assertThat(map.get("ratio")).isEqualTo(0.25);
        assertThat(map.get("infinite")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(map.get("enabled")).isEqualTo(false);
        assertThat(map.containsKey("nothing")).isTrue();
        assertThat(map.get("nothing")).isNull();
        assertThat(map.get("endpoints")).isEqualTo(List.of("10.0.0.1:80", Map.of("address", "10.0.0.2:80",
                "weight", 3)));
    }

    @Test
    void redactedCopyHidesEnvironmentValuesAndSecretKeys() {
        YamlConfigNode root = ConfigLoader.parse("junction.yaml", """
                admin:
                  address: ${ADMIN_ADDRESS}
                  token: written-in-the-file
                  enabled: ${ENABLED:-true}
                upstreams:
                  app:
                    connector:
                      api-key: abc
                      client-secret: {file: /etc/secret}
                      password: ~
                      keys: [a, b]
                      keyring: shown
                """, Map.of("ADMIN_ADDRESS", "127.0.0.1:9901"));

        Map<?, ?> redacted = (Map<?, ?>) root.unwrapRedacted();

        assertThat(redacted.get("admin")).isEqualTo(Map.of("address", "<redacted>", "token", "<redacted>",
                "enabled", true));
        Map<?, ?> connector = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) redacted.get("upstreams")).get("app"))
                .get("connector");
        assertThat(connector.get("api-key")).isEqualTo("<redacted>");
        assertThat(connector.get("client-secret")).isEqualTo("<redacted>");
        assertThat(connector.containsKey("password")).isTrue();
        assertThat(connector.get("password")).isNull();
        assertThat(connector.get("keys")).isEqualTo(List.of("a", "b"));
        assertThat(connector.get("keyring")).isEqualTo("shown");
        assertThat(((Map<?, ?>) root.unwrap()).get("admin"))
                .isEqualTo(Map.of("address", "127.0.0.1:9901", "token", "written-in-the-file", "enabled", true));
    }

    @Test
    void toStringNeverShowsTheValue() {
        assertThat(value("token", "s3cret").toString()).doesNotContain("s3cret")
                .isEqualTo("YamlConfigNode[scalar token at junction.yaml:1:8]");
    }

    private static Map<String, Object> nullValues(String... keys) {
        Map<String, Object> map = new LinkedHashMap<>();
        Arrays.stream(keys).forEach(key -> map.put(key, null));
        return map;
    }
}
