package dev.junction.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigProblemsTest {

    private static final String YAML = """
            runtime:
              drain-timeout: forever
              event-loops: many
            admin:
              adress: 127.0.0.1:9901
            """;

    @Test
    void collectsEveryProblemAndThrowsThemSortedByLine() {
        YamlConfigNode root = ConfigLoader.parse("junction.yaml", YAML, Map.of());
        ConfigProblems problems = new ConfigProblems();

        problems.run(() -> root.get("admin").checkKeys("address", "enabled", "token"));
        problems.get(() -> root.get("runtime").get("event-loops").asInt(4));
        problems.get(() -> root.get("runtime").get("drain-timeout").asDuration(Duration.ofSeconds(10)));

        assertThat(problems.isEmpty()).isFalse();
        assertThatThrownBy(problems::throwIfAny)
                .isInstanceOf(ConfigValidationException.class)
                .hasMessage("""
                        junction.yaml:2:18: runtime.drain-timeout: "forever" (expected: a duration such as 250ms, 5s, 10m, 1h)
                        junction.yaml:3:16: runtime.event-loops: "many" (expected: an integer)
                        junction.yaml:5:3: admin.adress: unknown key (did you mean 'address'?)""")
                .satisfies(error -> assertThat(((ConfigValidationException) error).problems()).hasSize(3));
    }

    @Test
    void getReturnsTheValueWhenTheCheckPasses() {
        YamlConfigNode root = ConfigLoader.parse("junction.yaml", "runtime:\n  event-loops: 2\n", Map.of());
        ConfigProblems problems = new ConfigProblems();

        assertThat(problems.get(() -> root.get("runtime").get("event-loops").asInt(4))).contains(2);
        problems.throwIfAny();
        assertThat(problems.isEmpty()).isTrue();
        assertThat(problems.problems()).isEmpty();
    }

    @Test
    void suppressedProblemsAreCollectedAndRepeatsKeptOnce() {
        YamlConfigNode root = ConfigLoader.parse("junction.yaml", "a: 1\nb: 2\nc: 3\n", Map.of());
        ConfigProblems problems = new ConfigProblems();

        problems.run(() -> root.checkKeys("a"));
        problems.run(() -> root.checkKeys("a"));

        assertThat(problems.problems()).extracting(ConfigException::getMessage).containsExactly(
                "junction.yaml:2:1: b: unknown key (expected one of: a)",
                "junction.yaml:3:1: c: unknown key (expected one of: a)");
    }

    @Test
    void loaderProblemsAndValidationExceptionsAreCollected() {
        ConfigProblems problems = new ConfigProblems();

        problems.run(() -> ConfigLoader.parse("junction.yaml", "a: ${A}\nb: ${B}\n", Map.of()));
        problems.run(() -> {
            throw new ConfigValidationException(List.of(new ConfigException(
                    new dev.junction.spi.config.ConfigLocation("other.yaml", 1, 1), "x", "bad")));
        });

        assertThat(problems.problems()).extracting(ConfigException::getMessage).containsExactly(
                "junction.yaml:1:4: a: environment variable 'A' is not set (write ${A:-fallback} to give a default)",
                "junction.yaml:2:4: b: environment variable 'B' is not set (write ${B:-fallback} to give a default)",
                "other.yaml:1:1: x: bad");
    }

    @Test
    void validationExceptionNeedsAtLeastOneProblem() {
        assertThatThrownBy(() -> new ConfigValidationException(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
