package dev.junction.plugin.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetServerImpl;
import io.vertx.core.net.impl.NetServerInternal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Request smuggling protection for the {@code http} listener: HTTP/1.x requests that parsers may read differently
 * (RFC 9112: both {@code Content-Length} and {@code Transfer-Encoding}, repeated or invalid framing headers,
 * transfer codings other than a lone {@code chunked}, obsolete line folding, bare CR or LF, invalid field names and
 * values, invalid chunk framing, a missing or repeated {@code Host}, request-target forms that do not fit the
 * method) are refused with 400 before anything of them reaches the request handler, and more header fields than
 * allowed with 431.
 *
 * <p>Netty's decoder, as Vert.x configures it, passes most of these on (it drops {@code Content-Length} when
 * {@code Transfer-Encoding: chunked} is present, joins folded lines, reads chunk sizes of 2<sup>32</sup> and more
 * wrapped around). Vert.x offers no way to configure its decoder, so {@link #createServer} builds a server whose
 * connections get an {@link Http1RequestGuardDecoder} in place of Vert.x's own, at the moment Vert.x creates it.
 * Failed requests go to the server's invalid request handler like Netty's own decoding failures: their
 * {@code decoderResult()} carries an {@link Http1RequestGuardException} (400) or a
 * {@link io.netty.handler.codec.http.TooLongHttpHeaderException} (431).
 *
 * <pre>{@code
 * HttpServer server = Http1RequestGuard.createServer(vertx, serverOptions, maxHeaders, metrics::rejected,
 *                 Duration.ofSeconds(10), metrics.headerTimeouts::increment)
 *         .requestHandler(request -> {
 *             if (!Http1RequestGuard.acceptHttp2(request)) {
 *                 return; // answered 400
 *             }
 *             ...
 *         })
 *         .invalidRequestHandler(this::invalidRequest);
 * }</pre>
 *
 * <p>HTTP/2 requests are checked by Netty's HTTP/2 codec (header names, pseudo-headers, connection-specific fields,
 * {@code content-length} against the DATA frames) except for header values, which {@link #acceptHttp2} checks.
 */
final class Http1RequestGuard {

    private static final byte[] BAD_REQUEST = ("HTTP/1.1 400 Bad Request\r\n"
            + "content-type: " + HttpResponses.TEXT + "\r\n"
            + "content-length: 16\r\n"
            + "connection: close\r\n"
            + "\r\n"
            + "400 Bad Request\n").getBytes(StandardCharsets.US_ASCII);
    private static final String DECODER = "httpDecoder";

    private Http1RequestGuard() {
    }

    /**
     * Creates an HTTP server like {@code vertx.createHttpServer(options)} whose HTTP/1.x connections are guarded.
     * {@code rejected} is told the status of each request refused before Vert.x could see it (one that opens the
     * connection with control characters or looks like a broken HTTP/2 preface); the others reach the server's
     * invalid request handler.
     */
    static HttpServer createServer(Vertx vertx, HttpServerOptions options, int maxHeaders, IntConsumer rejected,
            java.time.Duration headerTimeout, Runnable headerTimedOut) {
        return createServer(vertx, options, maxHeaders, rejected, headerTimeout, headerTimedOut, null, () -> { });
    }

    /**
     * Creates a guarded server whose HTTP/1.1 connections also get an {@link Http1Lane} for {@code lane}'s routes,
     * when {@code lane} is not null; {@code accepted} runs for each connection accepted.
     */
    static HttpServer createServer(Vertx vertx, HttpServerOptions options, int maxHeaders, IntConsumer rejected,
            java.time.Duration headerTimeout, Runnable headerTimedOut, HttpListener lane, Runnable accepted) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(rejected, "rejected");
        Settings settings = new Settings(options, maxHeaders, rejected, headerTimeout.toNanos(), headerTimedOut,
                lane, accepted);
        VertxInternal owner = (VertxInternal) vertx;
        VertxInternal guarded = new VertxWrapper(owner) {
            @Override
            public NetServerInternal createNetServer(NetServerOptions netOptions) {
                return new GuardedNetServer(owner, netOptions.copy(), settings);
            }
        };
        return new HttpServerImpl(guarded, options);
    }

    /**
     * Returns whether an HTTP/2 request may be handled; answers 400 and returns false when a header value holds a
     * control character (Netty's HTTP/2 codec checks names, not values) or {@code Host} names another authority
     * than {@code :authority} (RFC 9113 8.3.1). Returns true at once for HTTP/1.x requests, which the decoder
     * checked.
     */
    static boolean acceptHttp2(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2) {
            return true;
        }
        for (Map.Entry<String, String> header : request.headers()) {
            if (!validFieldValue(header.getValue())) {
                refuseHttp2(request);
                return false;
            }
        }
        String host = request.headers().get(HttpHeaders.HOST);
        HostAndPort authority = request.authority();
        if (host != null && authority != null && !host.equalsIgnoreCase(authority.toString())) {
            refuseHttp2(request);
            return false;
        }
        return true;
    }

    private static boolean validFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static void refuseHttp2(HttpServerRequest request) {
        request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, HttpResponses.TEXT)
                .end(Buffer.buffer("400 Bad Request\n"));
    }

    /** A complete 400 response for a connection on which no response can be pending; it asks for the close. */
    static ByteBuf badRequest(ByteBufAllocator allocator) {
        ByteBuf response = allocator.buffer(BAD_REQUEST.length);
        response.writeBytes(BAD_REQUEST);
        return response;
    }

    /** Puts the guard on a connection whose pipeline Vert.x has just configured. */
    static void install(ChannelPipeline pipeline, Settings settings, ContextInternal context) {
        if (pipeline.get(DECODER) != null) {
            // HTTP/1.x only (h2c off, or TLS with ALPN http/1.1): the decoder is there before any byte.
            settings.replaceDecoder(pipeline, context);
            return;
        }
        ChannelHandler detection = pipeline.get(Http1xOrH2CHandler.class);
        if (detection != null) {
            pipeline.addBefore(pipeline.context(detection).name(), "junctionHttp1Guard",
                    new Http1RequestGuardPrefaceHandler(settings, context));
        }
        // Otherwise HTTP/2 negotiated by ALPN, or a connection Vert.x refused: nothing to guard.
    }

    /** What a guarded server needs to build a decoder for each connection. */
    record Settings(HttpServerOptions options, int maxHeaders, IntConsumer rejected, long headerTimeoutNanos,
            Runnable headerTimedOut, HttpListener lane, Runnable accepted) {

        Settings {
            if (maxHeaders < 1) {
                throw new IllegalArgumentException("maxHeaders: " + maxHeaders + " (expected: >= 1)");
            }
        }

        /**
         * Puts the guard's decoder in place of Vert.x's, the {@link Http1RequestTrailers} in front of Vert.x's
         * handler, and the lane after the decoder when the listener has one.
         */
        void replaceDecoder(ChannelPipeline pipeline, ContextInternal context) {
            ChannelHandler decoder = pipeline.get(DECODER);
            if (decoder instanceof VertxHttpRequestDecoder && !(decoder instanceof Http1RequestGuardDecoder)) {
                pipeline.replace(DECODER, DECODER, new Http1RequestGuardDecoder(options, maxHeaders));
                Http1RequestTrailers.install(pipeline);
                if (lane != null && context != null) {
                    Http1Lane.install(pipeline, DECODER, lane, context);
                }
            }
        }

        void rejected(int status) {
            rejected.accept(status);
        }
    }

    /** Vert.x's TCP server underneath an HTTP server, installing the guard on each connection it hands over. */
    private static final class GuardedNetServer extends NetServerImpl {
        private final Settings settings;

        GuardedNetServer(VertxInternal vertx, NetServerOptions options, Settings settings) {
            super(vertx, options);
            this.settings = settings;
        }

        @Override
        public synchronized NetServerInternal connectHandler(Handler<NetSocket> handler) {
            if (handler == null) {
                return super.connectHandler(null);
            }
            return super.connectHandler(socket -> {
                settings.accepted().run();
                ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
                if (settings.headerTimeoutNanos() > 0) {
                    HeaderClock.start(pipeline.channel(), settings.headerTimeoutNanos(), settings.headerTimedOut());
                }
                handler.handle(socket);
                if (pipeline.channel().isActive()) {
                    install(pipeline, settings, ContextInternal.current());
                }
            });
        }
    }
}
