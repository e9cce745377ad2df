package dev.junction.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    @Test
    void suggestsTheCandidateWithinTwoEdits() {
        assertThat(Suggestions.closest("bakend", List.of("frontend", "backend"))).contains("backend");
        assertThat(Suggestions.closest("adress", List.of("protocol", "address", "routes"))).contains("address");
        assertThat(Suggestions.closest("protcool", List.of("protocol", "address"))).contains("protocol");
    }

    @Test
    void prefersTheFewestEditsAndThenTheFirstCandidate() {
        assertThat(Suggestions.closest("rout", List.of("routes", "route"))).contains("route");
        assertThat(Suggestions.closest("ab", List.of("ax", "ay"))).contains("ax");
    }

    @Test
    void suggestsACandidateDifferingOnlyInCase() {
        assertThat(Suggestions.closest("DRAIN-TIMEOUT", List.of("event-loops", "drain-timeout")))
                .contains("drain-timeout");
    }

    @Test
    void suggestsACandidateThatIsAPrefixOrExtension() {
        assertThat(Suggestions.closest("idle", List.of("idle-timeout", "connect-timeout"))).contains("idle-timeout");
        assertThat(Suggestions.closest("health-check-interval", List.of("health-check", "limits")))
                .contains("health-check");
    }

    @Test
    void suggestsNothingForDistantOrTinyInputs() {
        assertThat(Suggestions.closest("colour", List.of("address", "enabled", "token"))).isEmpty();
        assertThat(Suggestions.closest("x", List.of("y", "ab"))).isEmpty();
        assertThat(Suggestions.closest("", List.of("a"))).isEmpty();
        assertThat(Suggestions.closest("anything", List.of())).isEmpty();
    }

    @Test
    void distanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("abc", "abc")).isZero();
    }
}
