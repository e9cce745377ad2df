package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.TestGateway;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jwt filter through a gateway, with tokens signed here by the JDK and a JWKS served by a test server. */
class JwtFilterTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    @TempDir
    static Path directory;
    private static TestGateway gateway;
    private static Vertx vertx;
    private static HttpServer jwksServer;
    private static KeyPair rsa;
    private static KeyPair ec;
    private static KeyPair rotated;
    private static final AtomicReference<JsonObject> JWKS = new AtomicReference<>();
    private static final AtomicInteger JWKS_FETCHES = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        rsa = rsaGenerator.generateKeyPair();
        rotated = rsaGenerator.generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGenerator.generateKeyPair();
        Path pem = directory.resolve("rsa.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(rsa.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        JWKS.set(new JsonObject().put("keys", new JsonArray().add(ecJwk("ec-1", (ECPublicKey) ec.getPublic()))));
        vertx = Vertx.vertx();
        int jwksPort = TestGateway.freePort();
        jwksServer = TestGateway.await(vertx.createHttpServer().requestHandler(request -> {
            JWKS_FETCHES.incrementAndGet();
            request.response().putHeader("content-type", "application/json").end(JWKS.get().encode());
        }).listen(jwksPort, "127.0.0.1"));
        gateway = TestGateway.start(directory, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: hs
                        match: {path: {prefix: /hs}}
                        filters:
                          - jwt:
                              secret: SECRET
                              issuer: https://issuer.example.test
                              audiences: [api]
                              claims-to-headers: {sub: x-user-id, roles: x-roles}
                        action: {proxy: {upstream: echo}}
                      - name: rs
                        match: {path: {prefix: /rs}}
                        filters:
                          - jwt: {public-key-file: PEM, token-from: "cookie:session", forward-token: true}
                        action: {proxy: {upstream: echo}}
                      - name: es
                        match: {path: {prefix: /es}}
                        filters:
                          - jwt: {jwks-url: "http://127.0.0.1:JWKS_PORT/jwks.json", jwks-refresh: 1h}
                        action: {respond: {status: 200, body: "es\\n"}}
                  upstream-echo:
                    protocol: http
                    address: 127.0.0.1:${PORT_2}
                    routes:
                      - name: echo
                        action: {echo: {}}
                upstreams:
                  echo:
                    protocol: http
                    endpoints: [127.0.0.1:${PORT_2}]
                """.replace("SECRET", SECRET).replace("PEM", pem.toString())
                .replace("JWKS_PORT", Integer.toString(jwksPort)));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (vertx != null) {
            TestGateway.await(vertx.close());
        }
    }

    @Test
    void hs256TokenPassesAndItsClaimsReplaceClientHeaders() throws Exception {
        String token = hs256(claims().put("sub", "alice").put("roles", new JsonArray().add("admin").add("ops")));
        HttpResponse<String> response = gateway.send(gateway.request("/hs")
                .header("authorization", "Bearer " + token).header("x-user-id", "mallory"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject headers = new JsonObject(response.body()).getJsonObject("headers");
        assertThat(headers.getValue("x-user-id")).isEqualTo("alice");
        assertThat(headers.getValue("x-roles")).isEqualTo("admin,ops");
        assertThat(headers.containsKey("authorization")).as("not forwarded by default").isFalse();
    }

    @Test
    void missingExpiredForgedAndMisaddressedTokensAreRefused() throws Exception {
        HttpResponse<String> missing = gateway.send(gateway.request("/hs").header("x-user-id", "mallory"));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("www-authenticate")).hasValue("Bearer");

        long now = System.currentTimeMillis() / 1000;
        assertInvalid("/hs", hs256(claims().put("exp", now - 60)));
        assertInvalid("/hs", hs256(claims().put("aud", "other")));
        assertInvalid("/hs", hs256(claims().put("iss", "https://evil.example.test")));
        String good = hs256(claims());
        assertInvalid("/hs", good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA"));
        String unsigned = URL.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(claims().encode().getBytes(StandardCharsets.UTF_8)) + ".";
        assertInvalid("/hs", unsigned);
        assertInvalid("/hs", rs256(claims(), rsa, null));
    }

    @Test
    void rs256TokenFromACookieIsVerifiedWithAPemKeyAndForwarded() throws Exception {
        String token = rs256(new JsonObject().put("sub", "bob"), rsa, null);
        HttpResponse<String> response = gateway.send(gateway.request("/rs").header("cookie", "theme=dark; session=" + token));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonObject("headers").getString("cookie")).contains(token);

        HttpResponse<String> other = gateway.send(gateway.request("/rs").header("cookie", "session="
                + rs256(new JsonObject().put("sub", "bob"), rotated, null)));
        assertThat(other.statusCode()).isEqualTo(401);
    }

    @Test
    void es256TokensAreVerifiedWithTheJwksAndAnUnknownKeyIdRefetchesIt() throws Exception {
        HttpResponse<String> response = gateway.send(gateway.request("/es")
                .header("authorization", "Bearer " + es256(new JsonObject().put("sub", "carol"), "ec-1")));
        assertThat(response.statusCode()).isEqualTo(200);
        int fetches = JWKS_FETCHES.get();

        JWKS.set(new JsonObject().put("keys", new JsonArray().add(ecJwk("ec-1", (ECPublicKey) ec.getPublic()))
                .add(rsaJwk("rsa-2", (RSAPublicKey) rotated.getPublic()))));
        HttpResponse<String> rotatedKey = gateway.send(gateway.request("/es")
                .header("authorization", "Bearer " + rs256(new JsonObject().put("sub", "dave"), rotated, "rsa-2")));
        assertThat(rotatedKey.statusCode()).isEqualTo(200);
        assertThat(JWKS_FETCHES.get()).isEqualTo(fetches + 1);
    }

    private static void assertInvalid(String path, String token) {
        HttpResponse<String> response = gateway.send(gateway.request(path).header("authorization", "Bearer " + token));
        assertThat(response.statusCode()).as(token).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate")).hasValue("Bearer error=\"invalid_token\"");
    }

    private static JsonObject claims() {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject().put("iss", "https://issuer.example.test").put("aud", "api").put("exp", now + 300)
                .put("iat", now);
    }

    private static String signingInput(String alg, String kid, JsonObject claims) {
        JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
        if (kid != null) {
            header.put("kid", kid);
        }
        return URL.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    }

    private static String hs256(JsonObject claims) throws Exception {
        String input = signingInput("HS256", null, claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String rs256(JsonObject claims, KeyPair keys, String kid) throws Exception {
        String input = signingInput("RS256", kid, claims);
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(keys.getPrivate());
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + URL.encodeToString(signature.sign());
    }

    private static String es256(JsonObject claims, String kid) throws Exception {
        String input = signingInput("ES256", kid, claims);
        Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
        signature.initSign(ec.getPrivate());
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + URL.encodeToString(signature.sign());
    }

    private static JsonObject ecJwk(String kid, ECPublicKey key) {
        return new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid).put("use", "sig")
                .put("alg", "ES256")
                .put("x", URL.encodeToString(unsigned(key.getW().getAffineX(), 32)))
                .put("y", URL.encodeToString(unsigned(key.getW().getAffineY(), 32)));
    }

    private static JsonObject rsaJwk(String kid, RSAPublicKey key) {
        return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256")
                .put("n", URL.encodeToString(unsigned(key.getModulus(), 256)))
                .put("e", URL.encodeToString(unsigned(key.getPublicExponent(), 0)));
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > bytes.length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            return padded;
        }
        return bytes;
    }
}
