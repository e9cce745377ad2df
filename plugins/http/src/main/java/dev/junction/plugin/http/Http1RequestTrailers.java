package dev.junction.plugin.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * Keeps the trailer fields of the chunked HTTP/1.1 requests on one connection for the proxy: Netty's decoder reads
 * them, but Vert.x's request objects do not offer them. It sits right in front of Vert.x's connection handler, so it
 * sees the requests Vert.x gets (not those of the {@link Http1Lane}, which have no body) and the responses Vert.x
 * writes.
 *
 * <p>Messages pass here before Vert.x processes them (it queues what arrives while a request is paused or a
 * pipelined one waits), so the fields are kept per request: from the end of its body until {@link #take} hands them
 * out, or until its response ended, whichever comes first. With pipelining, one request's fields never reach
 * another.
 *
 * <p>Confined to the connection's event loop.
 */
final class Http1RequestTrailers extends ChannelDuplexHandler {

    static final String NAME = "junctionRequestTrailers";
    private static final AttributeKey<Http1RequestTrailers> KEY =
            AttributeKey.valueOf("junction.http.requestTrailers");

    /** Trailer fields of requests whose responses have not ended, oldest first; usually empty. */
    private final ArrayDeque<Kept> kept = new ArrayDeque<>(2);
    /** The headers of the request whose body is being read, which the Vert.x request returns as its own. */
    private HttpHeaders reading;
    /** Requests passed on to Vert.x, and responses Vert.x ended, on this connection. */
    private long requests;
    private long responsesEnded;
    /** Told of each response end Vert.x writes (the connection's {@link Http1Lane}), or null. */
    private Runnable responseEnded;

    private record Kept(long request, HttpHeaders headers, MultiMap trailers) {
    }

    private Http1RequestTrailers() {
    }

    /** Puts the handler on an HTTP/1.x connection whose pipeline Vert.x has configured. */
    static void install(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null || pipeline.get("handler") == null) {
            return;
        }
        Http1RequestTrailers trailers = new Http1RequestTrailers();
        pipeline.addBefore("handler", NAME, trailers);
        pipeline.channel().attr(KEY).set(trailers);
    }

    /** Returns the handler of {@code channel}, or null when it has none. */
    static Http1RequestTrailers of(io.netty.channel.Channel channel) {
        return channel.attr(KEY).get();
    }

    /** Sets what is told of each end of a response Vert.x writes on this connection; null for nothing. */
    void onResponseEnd(Runnable listener) {
        this.responseEnded = listener;
    }

    /**
     * Removes and returns the trailer fields {@code request} ended with, as received; returns null when it had none,
     * is an HTTP/2 request (Vert.x drops their trailers) or came on a connection without this handler. Call it once
     * the request's body ended.
     */
    static MultiMap take(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2 || !(request.connection() instanceof ConnectionBase connection)) {
            return null;
        }
        Http1RequestTrailers trailers = of(connection.channel());
        return trailers == null ? null : trailers.take(request.headers());
    }

    private MultiMap take(MultiMap headers) {
        Iterator<Kept> entries = kept.iterator();
        while (entries.hasNext()) {
            Kept entry = entries.next();
            if (entry.headers() == headers) {
                entries.remove();
                return entry.trailers();
            }
        }
        return null;
    }

    /**
     * Returns whether {@code msg}, written towards the client, ends a response: a final one, or the switch to
     * another protocol.
     */
    private static boolean endsResponse(Object msg) {
        return msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                && response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            requests++;
            reading = request.headers();
        }
        if (msg instanceof LastHttpContent last) {
            HttpHeaders fields = last.trailingHeaders();
            // Fields that come after the request's response ended are of no use to anyone.
            if (!fields.isEmpty() && reading != null && last.decoderResult().isSuccess()
                    && requests > responsesEnded) {
                kept.addLast(new Kept(requests, reading, copy(fields)));
            }
            reading = null;
        }
        ctx.fireChannelRead(msg);
    }

    private static MultiMap copy(HttpHeaders fields) {
        HeadersMultiMap copy = HeadersMultiMap.httpHeaders();
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = fields.iteratorCharSequence();
        while (entries.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = entries.next();
            copy.add(field.getKey(), field.getValue());
        }
        return copy;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (endsResponse(msg)) {
            // Vert.x answers in request order: the oldest request without an ended response is done with.
            responsesEnded++;
            while (!kept.isEmpty() && kept.peekFirst().request() <= responsesEnded) {
                kept.pollFirst();
            }
            if (responseEnded != null) {
                responseEnded.run();
            }
        }
        ctx.write(msg, promise);
    }
}
