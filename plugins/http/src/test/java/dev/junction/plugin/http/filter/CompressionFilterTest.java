package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.TestGateway;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compression filter through a gateway, over HTTP/1.1 and HTTP/2, on proxied and local responses. */
class CompressionFilterTest {

    private static final String TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(3000);

    @TempDir
    static Path directory;
    private static TestGateway gateway;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        int upstreamPort = TestGateway.freePort();
        TestGateway.await(vertx.createHttpServer().requestHandler(request -> {
            HttpServerResponse response = request.response();
            switch (request.path()) {
                case "/big" -> response.putHeader("content-type", "text/plain; charset=utf-8")
                        .putHeader("etag", "\"v1\"").end(TEXT);
                case "/chunked" -> {
                    response.setChunked(true).putHeader("content-type", "application/json");
                    for (int i = 0; i < 50; i++) {
                        response.write("{\"line\":" + i + ",\"text\":\"" + "x".repeat(500) + "\"}\n");
                    }
                    response.end();
                }
                case "/png" -> response.putHeader("content-type", "image/png").end(TEXT);
                case "/small" -> response.putHeader("content-type", "text/plain").end("tiny");
                case "/encoded" -> response.putHeader("content-type", "text/plain")
                        .putHeader("content-encoding", "br").end("not really brotli");
                case "/no-transform" -> response.putHeader("content-type", "text/plain")
                        .putHeader("cache-control", "no-transform").end(TEXT);
                default -> response.setStatusCode(404).end();
            }
        }).listen(upstreamPort, "127.0.0.1"));
        gateway = TestGateway.start(directory, """
                listeners:
                  web:
                    protocol: http
                    address: 127.0.0.1:${PORT_1}
                    routes:
                      - name: local
                        match: {path: {prefix: /local}}
                        filters:
                          - compression: {}
                        action: {respond: {status: 200, body: "BODY", content-type: "text/html"}}
                      - name: brotli
                        match: {headers: {x-brotli: "yes"}}
                        filters:
                          - compression: {min-size: 1KiB, encodings: [br, gzip]}
                        action: {proxy: {upstream: app}}
                      - name: app
                        filters:
                          - compression: {min-size: 1KiB}
                        action: {proxy: {upstream: app}}
                upstreams:
                  app:
                    protocol: http
                    endpoints: [127.0.0.1:UPSTREAM_PORT]
                """.replace("UPSTREAM_PORT", Integer.toString(upstreamPort)).replace("BODY", "<p>hello</p>".repeat(500)));
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

    private HttpResponse<byte[]> get(String path, String acceptEncoding) {
        return get(gateway.request(path), acceptEncoding);
    }

    /** Asks the route whose compression offers brotli first, then gzip. */
    private HttpResponse<byte[]> getBrotliRoute(String path, String acceptEncoding) {
        return get(gateway.request(path).header("x-brotli", "yes"), acceptEncoding);
    }

    private HttpResponse<byte[]> get(HttpRequest.Builder request, String acceptEncoding) {
        if (acceptEncoding != null) {
            request.header("accept-encoding", acceptEncoding);
        }
        try {
            return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String unbrotli(byte[] body) throws IOException {
        DirectDecompress decoded = Decoder.decompress(body);
        assertThat(decoded.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
        return new String(decoded.getDecompressedData(), StandardCharsets.UTF_8);
    }

    private static String gunzip(byte[] body) throws IOException {
        return new String(new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void proxiedResponseWithContentLengthIsGzippedOverHttp11() throws IOException {
        HttpResponse<byte[]> response = get("/big", "deflate;q=0.5, gzip");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(response.headers().firstValue("content-length")).isEmpty();
        assertThat(response.headers().allValues("vary")).anyMatch(v -> v.contains("Accept-Encoding"));
        assertThat(response.headers().firstValue("etag")).hasValue("W/\"v1\"");
        assertThat(response.body().length).isLessThan(TEXT.length() / 10);
        assertThat(gunzip(response.body())).isEqualTo(TEXT);
    }

    @Test
    void chunkedProxiedResponseIsDeflatedWhenPreferred() throws IOException {
        HttpResponse<byte[]> response = get("/chunked", "gzip;q=0.2, deflate");

        assertThat(response.headers().firstValue("content-encoding")).hasValue("deflate");
        String body = new String(new InflaterInputStream(new ByteArrayInputStream(response.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(body.lines()).hasSize(50);
        assertThat(body).startsWith("{\"line\":0,");
    }

    @Test
    void brotliIsChosenWhereConfiguredAndAccepted() throws IOException {
        HttpResponse<byte[]> response = getBrotliRoute("/big", "gzip, deflate, br");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-encoding")).hasValue("br");
        assertThat(response.headers().firstValue("content-length")).isEmpty();
        assertThat(response.headers().firstValue("etag")).hasValue("W/\"v1\"");
        assertThat(response.body().length).isLessThan(TEXT.length() / 10);
        assertThat(unbrotli(response.body())).isEqualTo(TEXT);

        HttpResponse<byte[]> streamed = getBrotliRoute("/chunked", "br");
        assertThat(streamed.headers().firstValue("content-encoding")).hasValue("br");
        String body = unbrotli(streamed.body());
        assertThat(body.lines()).hasSize(50);
        assertThat(body).startsWith("{\"line\":0,").endsWith("\"}\n");

        HttpResponse<byte[]> gzip = getBrotliRoute("/big", "gzip, br;q=0.5");
        assertThat(gzip.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gunzip(gzip.body())).isEqualTo(TEXT);
        assertThat(getBrotliRoute("/big", "deflate").headers().firstValue("content-encoding"))
                .as("deflate is not offered on that route").isEmpty();
    }

    @Test
    void everyFlushedChunkOfABrotliStreamDecodesOnItsOwn() throws IOException {
        BrotliBodyEncoder encoder = new BrotliBodyEncoder(6);
        try {
            java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                String event = "data: event " + i + " " + "y".repeat(i * 7000) + "\n\n";
                expected.append(event);
                sent.writeBytes(encoder.transform(Buffer.buffer(event)).getBytes());
                // What was flushed so far decodes to everything sent so far (server-sent events keep flowing).
                com.aayushatharva.brotli4j.decoder.DecoderJNI.Wrapper decoder =
                        new com.aayushatharva.brotli4j.decoder.DecoderJNI.Wrapper(sent.size());
                try {
                    decoder.getInputBuffer().put(sent.toByteArray());
                    decoder.push(sent.size());
                    java.io.ByteArrayOutputStream decoded = new java.io.ByteArrayOutputStream();
                    while (true) {
                        if (decoder.hasOutput()) {
                            java.nio.ByteBuffer out = decoder.pull();
                            byte[] bytes = new byte[out.remaining()];
                            out.get(bytes);
                            decoded.writeBytes(bytes);
                        } else if (decoder.getStatus() == DecoderJNI.Status.NEEDS_MORE_OUTPUT
                                || decoder.getStatus() == DecoderJNI.Status.OK) {
                            decoder.push(0);
                        } else {
                            break;
                        }
                    }
                    assertThat(decoder.getStatus()).as("a stream that is not finished yet")
                            .isEqualTo(DecoderJNI.Status.NEEDS_MORE_INPUT);
                    assertThat(decoded.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
                } finally {
                    decoder.destroy();
                }
            }
            sent.writeBytes(encoder.finish().getBytes());
            assertThat(unbrotli(sent.toByteArray())).isEqualTo(expected.toString());
        } finally {
            encoder.close();
        }
    }

    @Test
    void localResponsesAreCompressedToo() throws IOException {
        HttpResponse<byte[]> response = get("/local", "gzip");

        assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gunzip(response.body())).isEqualTo("<p>hello</p>".repeat(500));
    }

    @Test
    void responsesThatMustNotBeCompressedAreLeftAlone() {
        assertThat(get("/big", null).headers().firstValue("content-encoding")).isEmpty();
        assertThat(get("/big", "gzip;q=0, deflate;q=0").headers().firstValue("content-encoding")).isEmpty();
        assertThat(get("/big", "br").headers().firstValue("content-encoding")).isEmpty();
        HttpResponse<byte[]> png = get("/png", "gzip");
        assertThat(png.headers().firstValue("content-encoding")).isEmpty();
        assertThat(png.headers().allValues("vary")).noneMatch(v -> v.contains("Accept-Encoding"));
        HttpResponse<byte[]> small = get("/small", "gzip");
        assertThat(small.headers().firstValue("content-encoding")).isEmpty();
        assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo("tiny");
        HttpResponse<byte[]> encoded = get("/encoded", "gzip, br");
        assertThat(encoded.headers().firstValue("content-encoding")).hasValue("br");
        assertThat(new String(encoded.body(), StandardCharsets.UTF_8)).isEqualTo("not really brotli");
        assertThat(get("/no-transform", "gzip").headers().firstValue("content-encoding")).isEmpty();
        HttpResponse<byte[]> uncompressed = get("/big", "identity");
        assertThat(new String(uncompressed.body(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
    }

    @Test
    void http2StreamsOnOneConnectionAreEachCompressedOrNotByTheirOwnRequest() throws IOException {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDecompressionSupported(false));
        try {
            for (String acceptEncoding : new String[] {null, "gzip", null, "gzip"}) {
                RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                        .setPort(gateway.port(1)).setURI("/big");
                if (acceptEncoding != null) {
                    options.putHeader("accept-encoding", acceptEncoding);
                }
                Buffer body = TestGateway.await(client.request(options).compose(request -> request.send()
                        .compose(response -> {
                            assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
                            assertThat(response.getHeader("content-encoding")).isEqualTo(acceptEncoding);
                            return response.body();
                        })));
                String text = acceptEncoding == null ? body.toString(StandardCharsets.UTF_8) : gunzip(body.getBytes());
                assertThat(text).isEqualTo(TEXT);
            }
        } finally {
            TestGateway.await(client.close());
        }
    }
}
