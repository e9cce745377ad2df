package dev.junction.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PathNormalizer}: percent-encoding, dot segments (RFC 3986 5.2.4 and the examples of 5.4), invalid paths. */
class PathNormalizerTest {

    /**
     * The reference resolutions of RFC 3986 5.4 against the base {@code http://a/b/c/d;p?q}, as the absolute paths
     * that merging (5.2.3) hands to remove_dot_segments, with the RFC's results; and the example of 5.2.4.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // 5.2.4
        "/a/b/c/./../../g | /a/g",
        // 5.4.1 normal examples
        "/b/c/g | /b/c/g",
        "/b/c/./g | /b/c/g",
        "/b/c/g/ | /b/c/g/",
        "/g | /g",
        "/b/c/. | /b/c/",
        "/b/c/./ | /b/c/",
        "/b/c/.. | /b/",
        "/b/c/../ | /b/",
        "/b/c/../g | /b/g",
        "/b/c/../.. | /",
        "/b/c/../../ | /",
        "/b/c/../../g | /g",
        // 5.4.2 abnormal examples
        "/b/c/../../../g | /g",
        "/b/c/../../../../g | /g",
        "/./g | /g",
        "/../g | /g",
        "/b/c/g. | /b/c/g.",
        "/b/c/.g | /b/c/.g",
        "/b/c/g.. | /b/c/g..",
        "/b/c/..g | /b/c/..g",
        "/b/c/./../g | /b/g",
        "/b/c/./g/. | /b/c/g/",
        "/b/c/g/./h | /b/c/g/h",
        "/b/c/g/../h | /b/c/h",
        "/b/c/g;x=1/./y | /b/c/g;x=1/y",
        "/b/c/g;x=1/../y | /b/c/y",
    })
    void removeDotSegmentsFollowsTheRfcExamples(String input, String expected) {
        assertThat(PathNormalizer.removeDotSegments(input)).isEqualTo(expected);
        assertThat(PathNormalizer.normalize(input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/ | /",
        "/. | /",
        "/.. | /",
        "/../../.. | /",
        "/a/.. | /",
        "/a/b/.. | /a/",
        "/a/./b/../c | /a/c",
        "/... | /...",
        "/.hidden/x | /.hidden/x",
        "/a//b | /a//b",
        "/a//../b | /a/b",
        "/a/b/ | /a/b/",
    })
    void removeDotSegmentsOnAbsolutePaths(String input, String expected) {
        assertThat(PathNormalizer.removeDotSegments(input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/%61pi | /api",
        "/%61%62%63 | /abc",
        "/%41%5A%30%39 | /AZ09",
        "/%2D%2e%5F%7e | /-._~",
        "/%7euser | /~user",
        "/a%2fb | /a%2Fb",
        "/a%2Fb | /a%2Fb",
        "/a%2fb/%3f | /a%2Fb/%3F",
        "/%20 | /%20",
        "/caf%c3%a9 | /caf%C3%A9",
        "/%00 | /%00",
        "/%2e | /",
        "/a/%2e%2E | /",
        "/a/%2e%2e/b | /b",
        "/%2e%2e/%2e%2e/etc | /etc",
        "/%2e%2e%2f | /..%2F",
        "/a/..%2f..%2fb | /a/..%2F..%2Fb",
        "/api/x%2F.. | /api/x%2F..",
    })
    void normalizeDecodesUnreservedAndUpperCasesTheRest(String input, String expected) {
        assertThat(PathNormalizer.normalize(input)).isEqualTo(expected);
    }

    @Test
    void anUnchangedPathIsReturnedAsTheSameInstance() {
        String plain = new String("/api/users/7");
        assertThat(PathNormalizer.normalize(plain)).isSameAs(plain);
        String encoded = new String("/a%2Fb/.hidden");
        assertThat(PathNormalizer.normalize(encoded)).isSameAs(encoded);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "api", "*", "a/b", "/%zz", "/%4", "/%", "/a%2", "/a%g0", "/%-1", "/a b", "/a\tb",
        "/a\rb", "/a\nb", "/caf\u00e9", "/a\u007f", "/\u0000"})
    void invalidPathsAreNull(String input) {
        assertThat(PathNormalizer.normalize(input)).isNull();
    }

    @Test
    void normalisingTwiceChangesNothing() {
        for (String input : new String[] {"/a/./b/../c", "/%61%2f%2e%2e/x", "/../%7e/./", "/a//b/%2E/"}) {
            String once = PathNormalizer.normalize(input);
            assertThat(PathNormalizer.normalize(once)).as(input).isEqualTo(once);
        }
    }
}
