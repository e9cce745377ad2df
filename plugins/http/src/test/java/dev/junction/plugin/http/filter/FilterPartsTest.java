package dev.junction.plugin.http.filter;

import static dev.junction.testkit.TestConfig.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.spi.config.ConfigException;
import dev.junction.testkit.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;

/** The parts of the filters that need no gateway: parsers, negotiation, buckets, encoders, matching. */
class FilterPartsTest {

    private static final List<String> OFFERED = List.of("gzip", "deflate");

    @Test
    void acceptEncodingPicksTheHighestQualityAndHonoursZero() {
        assertThat(AcceptEncoding.choose("gzip, deflate, br", OFFERED)).isEqualTo("gzip");
        assertThat(AcceptEncoding.choose("deflate", OFFERED)).isEqualTo("deflate");
        assertThat(AcceptEncoding.choose("gzip;q=0.5, deflate;q=0.8", OFFERED)).isEqualTo("deflate");
        assertThat(AcceptEncoding.choose("gzip;q=0, deflate;q=0", OFFERED)).isNull();
        assertThat(AcceptEncoding.choose("*;q=0.1, gzip;q=0", OFFERED)).isEqualTo("deflate");
        assertThat(AcceptEncoding.choose("*", OFFERED)).isEqualTo("gzip");
        assertThat(AcceptEncoding.choose("identity", OFFERED)).isNull();
        assertThat(AcceptEncoding.choose("br", OFFERED)).isNull();
        assertThat(AcceptEncoding.choose("", OFFERED)).isNull();
        assertThat(AcceptEncoding.choose(null, OFFERED)).isNull();
        assertThat(AcceptEncoding.choose("GZIP;Q=1.0", OFFERED)).isEqualTo("gzip");
        assertThat(AcceptEncoding.choose("gzip;q=nonsense, deflate", OFFERED)).isEqualTo("deflate");
    }

    @Test
    void gzipAndDeflateEncodersStreamChunksThatDecompressToTheOriginal() throws IOException {
        byte[] original = new byte[300_000];
        Random random = new Random(7);
        for (int i = 0; i < original.length; i++) {
            original[i] = (byte) ("abcdefgh".charAt(random.nextInt(8)));
        }
        for (String coding : OFFERED) {
            BodyEncoder encoder = new BodyEncoder(coding, 6);
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            int offset = 0;
            int size = 1;
            while (offset < original.length) {
                int length = Math.min(size, original.length - offset);
                Buffer out = encoder.transform(Buffer.buffer().appendBytes(original, offset, length));
                compressed.write(out.getBytes());
                offset += length;
                size = size * 3 + 1;
            }
            compressed.write(encoder.finish().getBytes());
            assertThat(compressed.size()).as(coding).isLessThan(original.length / 2);
            InputStream in = coding.equals("gzip")
                    ? new GZIPInputStream(new ByteArrayInputStream(compressed.toByteArray()))
                    : new InflaterInputStream(new ByteArrayInputStream(compressed.toByteArray()));
            assertThat(in.readAllBytes()).as(coding).isEqualTo(original);
        }
    }

    @Test
    void everyEncodedChunkIsDecodableOnItsOwnSoStreamsAreNotHeldBack() throws IOException {
        BodyEncoder encoder = new BodyEncoder("gzip", 6);
        byte[] first = encoder.transform(Buffer.buffer("data: first event\n\n")).getBytes();
        GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(first));
        byte[] read = new byte[64];
        int length = in.read(read);
        assertThat(new String(read, 0, length, StandardCharsets.UTF_8)).isEqualTo("data: first event\n\n");
        encoder.close();
    }

    @Test
    void compressionMatchesContentTypesWithWildcardsAndSuffixes() {
        CompressionFilter filter = CompressionFilter.create(TestConfig.at("filters[0].compression", map()));

        assertThat(filter.compressibleType("text/html; charset=utf-8")).isTrue();
        assertThat(filter.compressibleType("application/problem+json")).isTrue();
        assertThat(filter.compressibleType("Application/JSON")).isTrue();
        assertThat(filter.compressibleType("image/png")).isFalse();
        assertThat(filter.compressibleType("application/octet-stream")).isFalse();
        assertThat(filter.compressibleType(null)).isFalse();
    }

    @Test
    void tokenBucketAllowsTheBurstThenRefillsAtTheRate() {
        TokenBuckets buckets = new TokenBuckets(2, 3, 100);
        long now = 1_000_000_000L;
        assertThat(buckets.take("a", now)).isZero();
        assertThat(buckets.take("a", now)).isZero();
        assertThat(buckets.take("a", now)).isZero();
        long wait = buckets.take("a", now);
        assertThat(wait).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(buckets.take("b", now)).as("another key has its own bucket").isZero();
        assertThat(buckets.take("a", now + TimeUnit.MILLISECONDS.toNanos(500))).isZero();
        assertThat(buckets.take("a", now + TimeUnit.MILLISECONDS.toNanos(500))).isPositive();
    }

    @Test
    void tokenBucketsStayBoundedAndDropRefilledBuckets() {
        TokenBuckets buckets = new TokenBuckets(1, 1, 50);
        long now = 0;
        for (int i = 0; i < 1000; i++) {
            buckets.take("key-" + i, now);
        }
        assertThat(buckets.size()).isLessThanOrEqualTo(50);
        long later = TimeUnit.SECONDS.toNanos(5);
        buckets.take("fresh", later);
        assertThat(buckets.size()).as("idle buckets are full again, so they are dropped").isLessThanOrEqualTo(2);
    }

    @Test
    void corsMatchesExactOriginsCaseInsensitivelyAndRegexes() {
        CorsFilter cors = CorsFilter.create(TestConfig.at("filters[0].cors", map("allow-origins",
                List.of("https://example.org", map("regex", "https://[a-z]+\\.example\\.test")))));

        assertThat(cors.allows("https://example.org")).isTrue();
        assertThat(cors.allows("HTTPS://EXAMPLE.ORG")).isTrue();
        assertThat(cors.allows("https://app.example.test")).isTrue();
        assertThat(cors.allows("https://app.example.test.evil.example")).isFalse();
        assertThat(cors.allows("https://example.org.evil.example")).isFalse();
        assertThat(cors.allows("null")).isFalse();
    }

    @Test
    void corsRefusesWildcardExposeHeadersWithCredentials() {
        assertThatThrownBy(() -> CorsFilter.create(TestConfig.at("filters[0].cors", map("allow-origins",
                List.of("*"), "allow-credentials", true, "expose-headers", List.of("*")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expose-headers");
        assertThatThrownBy(() -> CorsFilter.create(TestConfig.at("filters[0].cors", map("allow-origins",
                List.of("https://example.org/path")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("allow-origins");
    }

    @Test
    void rewriteStripsOnSegmentBoundaries() {
        RewriteFilter strip = RewriteFilter.create(TestConfig.at("f", map("strip-prefix", "/api")));
        assertThat(strip.rewrite("/api/x")).isEqualTo("/x");
        assertThat(strip.rewrite("/api")).isEqualTo("/");
        assertThat(strip.rewrite("/apix")).isEqualTo("/apix");

        RewriteFilter add = RewriteFilter.create(TestConfig.at("f", map("add-prefix", "/v2/")));
        assertThat(add.rewrite("/x")).isEqualTo("/v2/x");
        assertThat(add.rewrite("/")).isEqualTo("/v2/");

        assertThatThrownBy(() -> RewriteFilter.create(TestConfig.at("f", map("regex",
                map("pattern", "^/a/(.*)", "replacement", "/b/$2")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("replacement");
    }

    @Test
    void redirectBuildsTheLocationFromTheRequest() {
        RedirectFilter https = RedirectFilter.create(TestConfig.at("f", map("scheme", "https")));
        assertThat(https.location("http", "example.org:8080", "/a", "q=1")).isEqualTo("https://example.org/a?q=1");
        assertThat(https.location("http", "[::1]:8080", "/a", null)).isEqualTo("https://[::1]/a");

        RedirectFilter port = RedirectFilter.create(TestConfig.at("f", map("port", 8443, "scheme", "https")));
        assertThat(port.location("http", "example.org", "/", null)).isEqualTo("https://example.org:8443/");

        RedirectFilter path = RedirectFilter.create(TestConfig.at("f", map("path", "/new", "strip-query", true)));
        assertThat(path.location("http", "example.org:8080", "/old", "q=1")).isEqualTo("http://example.org:8080/new");

        assertThatThrownBy(() -> RedirectFilter.create(TestConfig.at("f", map("status", 200))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("301, 302, 303, 307 or 308");
    }

    @Test
    void unknownKeysAndEmptyConfigurationsAreRefused() {
        assertThatThrownBy(() -> HeaderEdits.parse(TestConfig.at("f", map("sett", map("a", "b"))), true))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> HeaderEdits.parse(TestConfig.at("f", map()), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set, add, remove");
        assertThatThrownBy(() -> HeaderEdits.parse(TestConfig.at("f", map("set", map("bad name", "x"))), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("header name");
        assertThatThrownBy(() -> HeaderEdits.parse(TestConfig.at("f", map("set", map("x-a", "a\r\nb"))), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("header value");
        assertThatThrownBy(() -> IpFilter.create(TestConfig.at("f", map())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("allow or deny");
        assertThatThrownBy(() -> RequestSizeLimitFilter.create(TestConfig.at("f", map())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max-body-size");
        assertThatThrownBy(() -> BasicAuthFilter.create(TestConfig.at("f", map("users", map("alice", "secret")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("plain-text passwords are refused");
    }

    @Test
    void requestSizeLimitComparesContentLength() {
        RequestSizeLimitFilter filter = RequestSizeLimitFilter.create(TestConfig.at("f", map("max-body-size", 1024)));
        assertThat(filter.tooLarge("1024")).isFalse();
        assertThat(filter.tooLarge("1025")).isTrue();
        assertThat(filter.tooLarge("99999999999999999999999")).isTrue();
    }

    @Test
    void jwtClaimsAreCheckedWithLeeway() {
        JwtFilter filter = JwtFilter.create(TestConfig.at("f", map("secret", "0123456789abcdef0123456789abcdef",
                "issuer", "https://issuer.example.test", "audiences", List.of("api"), "leeway", "30s")),
                null);
        long now = 1_700_000_000L;
        JsonObject valid = new JsonObject().put("iss", "https://issuer.example.test").put("aud", "api")
                .put("exp", now + 10);
        assertThat(filter.claimsHold(valid, now)).isTrue();
        assertThat(filter.claimsHold(valid.copy().put("exp", now - 20), now)).as("within leeway").isTrue();
        assertThat(filter.claimsHold(valid.copy().put("exp", now - 31), now)).isFalse();
        assertThat(filter.claimsHold(valid.copy().put("nbf", now + 60), now)).isFalse();
        assertThat(filter.claimsHold(valid.copy().put("iss", "https://other.example.test"), now)).isFalse();
        assertThat(filter.claimsHold(valid.copy().put("aud", List.of("other", "api")), now)).isTrue();
        assertThat(filter.claimsHold(valid.copy().put("aud", "other"), now)).isFalse();
        assertThat(filter.claimsHold(valid.copy().put("exp", "soon"), now)).isFalse();
    }
}
