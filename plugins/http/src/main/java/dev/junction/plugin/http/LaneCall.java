package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.GatewayException.Source;
import dev.junction.spi.http.HttpStatusException;
import dev.junction.spi.upstream.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One request on the {@link Http1Lane}: the same proxying as {@link ProxyCall} (endpoint choice, forwarding
 * headers, retries, deadlines, metrics, access log), for a request without a body, written upstream as one head
 * and answered with the upstream's response as it arrives: its head rewritten (hop-by-hop fields out, {@code Via}
 * in), its body with the upstream's framing. A response read until the upstream closes is sent chunked. Confined
 * to the connection's event loop.
 */
final class LaneCall extends ProxyAttempts implements Http1Connection.RawExchange, AccessLog.Entry {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HTTP11_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** A response body up to this size that arrives with its head leaves in the same write. */
    private static final int SMALL_BODY = 4096;

    private final Http1Lane lane;
    private final HttpListener listener;
    private final HttpListener.CompiledRoute route;
    private final HttpMethod method;
    private final MultiMap headers;
    /** The options of the request's {@code Connection} fields, joined, or null. */
    private final String connection;
    private final String hostHeader;
    private final String host;
    private final String path;
    private final String query;
    private final long startNanos;
    /** The client asked to close after this response. */
    private final boolean clientCloses;
    private Http1Connection upstreamConnection;
    private long sentNanos;
    private Throwable outcome;
    // What went to the client.
    private boolean headWritten;
    private boolean rechunk;
    private boolean unflushed;
    /** The response head, and the start of the body when it fits, not yet written. */
    private ByteBuf pendingHead;
    private int status;
    private long bytesOut;
    // For the access log.
    private String clientIp;
    private String upstream = "";
    /** The endpoint of the latest attempt, named only when the access log or an error asks. */
    private Endpoint endpoint;
    private long connectNanos;
    private long firstByteNanos;
    private int retries;
    private Throwable failure;

    LaneCall(Http1Lane lane, HttpListener.CompiledRoute route, ProxyAction action, HttpMethod method,
            MultiMap headers, String connection, String hostHeader, String host, String path, String query,
            long startNanos) {
        super(action, ProxyAction.idempotent(method), lane.listener().plugin().meterRegistry(),
                lane.ctx().channel().eventLoop(), startNanos);
        this.lane = lane;
        this.listener = lane.listener();
        this.route = route;
        this.method = method;
        this.headers = headers;
        this.hostHeader = hostHeader;
        this.host = host;
        this.path = path;
        this.query = query;
        this.startNanos = startNanos;
        this.connection = connection;
        this.clientCloses = connection != null && ForwardedHeaders.hasToken(connection, "close");
    }

    void start() {
        listener.laneRequestStarted();
        begin();
    }

    @Override
    String hashKey() {
        return switch (action.hashKey.kind()) {
            case NONE -> "";
            case CLIENT_ADDRESS -> clientIp();
            case PATH -> path;
            case HEADER -> {
                String value = headers.get(action.hashKey.name());
                yield value == null ? "" : value;
            }
            case COOKIE -> {
                String cookies = headers.get(HttpHeaderNames.COOKIE);
                String value = null;
                if (cookies != null) {
                    for (io.netty.handler.codec.http.cookie.Cookie cookie : ServerCookieDecoder.LAX.decode(cookies)) {
                        if (cookie.name().equals(action.hashKey.name())) {
                            value = cookie.value();
                            break;
                        }
                    }
                }
                yield value == null ? "" : value;
            }
        };
    }

    @Override
    void send(Endpoint endpoint) {
        upstream = target.upstream().name();
        this.endpoint = endpoint;
        Http1Pool pool = lane.pool(target.connector());
        if (pool == null) {
            attemptFailed(new GatewayException(Source.INTERNAL, true, "http: upstream " + upstream
                    + ": connector closed"), ProxyFailures.Kind.CONNECT);
            return;
        }
        Future<Http1Connection> connected = pool.connection(endpoint, lane.context());
        if (connected.isComplete()) {
            connected(connected, endpoint, 0); // a pooled connection: no connect time
        } else {
            long connectStart = System.nanoTime();
            connected.onComplete(done -> connected(done, endpoint, connectStart));
        }
    }

    /** Sends the request on a connection that was pooled ({@code connectStart} 0) or just opened. */
    private void connected(AsyncResult<Http1Connection> result, Endpoint endpoint, long connectStart) {
        if (result.failed()) {
            attemptFailed(result.cause(), ProxyFailures.Kind.CONNECT);
            return;
        }
        Http1Connection up = result.result();
        if (finished) {
            up.reset();
            return;
        }
        upstreamConnection = up;
        ByteBuf head = requestHead(up, endpoint);
        if (connectStart == 0 && attempt == 1) {
            sentNanos = startNanos; // the request went straight out: its arrival will do, and saves a clock read
        } else {
            sentNanos = System.nanoTime();
            connectNanos = connectStart == 0 ? 0 : sentNanos - connectStart;
        }
        armFirstByte(sentNanos);
        up.exchange(head, method == HttpMethod.HEAD, this);
    }

    /** Writes the request head as the upstream gets it: the end-to-end fields, then the forwarding ones. */
    private ByteBuf requestHead(Http1Connection up, Endpoint endpoint) {
        HeadWriter out = HeadWriter.get();
        out.latin1(method.name()).ascii(' ').utf8(path);
        if (query != null) {
            out.ascii('?').utf8(query);
        }
        out.bytes(HTTP11_CRLF);
        out.add(HttpHeaderNames.HOST, authority(endpoint));
        ForwardedHeaders.copyEndToEnd(headers, connection, out, true);
        HttpListenerOptions options = listener.options();
        boolean trusted = !options.trustedProxies().isEmpty()
                && options.trustedProxies().contains(dev.junction.spi.net.IpMatcher.parseLiteral(lane.peer()));
        ForwardedHeaders.addForwarding(headers, lane.peer(), host.isEmpty() ? null : hostHeader, out, trusted,
                listener.via(io.vertx.core.http.HttpVersion.HTTP_1_1), "http", lane.forwardedMemo());
        out.crlf();
        return out.toBuffer(up.channel().alloc());
    }

    private String authority(Endpoint endpoint) {
        return switch (action.host) {
            case "preserve" -> hostHeader;
            case "endpoint" -> io.vertx.core.net.HostAndPort.create(endpoint.host(), endpoint.port()).toString();
            default -> action.host;
        };
    }

    // The response (Http1Connection.RawExchange)

    @Override
    public void head(Http1ResponseHead head) {
        firstByteArrived();
        long now = System.nanoTime();
        firstByteNanos = now;
        meters.firstByte.record(now - sentNanos, TimeUnit.NANOSECONDS);
        int code = head.status();
        meters.answered(code);
        if (retriesStatus(code)) {
            return;
        }
        status = code;
        outcome = code >= 500 ? new GatewayException(Source.UPSTREAM, true, "http: upstream answered " + code) : null;
        boolean bodyless = method == HttpMethod.HEAD || code == 204 || code == 304;
        rechunk = !bodyless && !head.chunked() && head.contentLength() < 0;
        HeadWriter out = HeadWriter.get();
        head.writeForwarded(out, listener.viaLine(head.http10()), rechunk || head.chunked(),
                clientCloses || lane.closing());
        headWritten = true;
        long length = head.contentLength();
        int room = !bodyless && !rechunk && length > 0 && length <= SMALL_BODY ? (int) length : 0;
        pendingHead = out.toBuffer(lane.ctx().alloc(), room);
    }

    /** Writes the held head (with what of the body it took in). */
    private void writeHead() {
        ByteBuf head = pendingHead;
        if (head != null) {
            pendingHead = null;
            lane.write(head);
            unflushed = true;
        }
    }

    @Override
    public void content(ByteBuf bytes) {
        if (finished) {
            bytes.release();
            return;
        }
        activity++;
        int length = bytes.readableBytes();
        if (pendingHead != null) {
            if (!rechunk && pendingHead.writableBytes() >= length) {
                pendingHead.writeBytes(bytes); // a small body: one write with its head
                bytes.release();
                return;
            }
            writeHead();
        }
        if (rechunk) {
            if (length == 0) {
                bytes.release();
                return;
            }
            ByteBuf size = lane.ctx().alloc().buffer(18);
            ByteBufUtil.writeAscii(size, Integer.toHexString(length));
            size.writeBytes(CRLF);
            lane.write(size);
            lane.write(bytes);
            lane.write(lane.ctx().alloc().buffer(2).writeBytes(CRLF));
        } else {
            lane.write(bytes);
        }
        unflushed = true;
        if (!lane.ctx().channel().isWritable() && upstreamConnection != null) {
            upstreamConnection.pause();
        }
    }

    @Override
    public void readComplete() {
        if (finished) {
            return;
        }
        writeHead();
        if (unflushed) {
            unflushed = false;
            lane.flush();
        }
    }

    @Override
    public void end(MultiMap trailers) {
        if (finished) {
            return;
        }
        Http1Connection up = upstreamConnection;
        upstreamConnection = null; // back in its pool once this returns
        if (up != null) {
            bytesOut = up.bodyBytes(); // the body as the access log counts it, without chunk framing
        }
        writeHead();
        if (rechunk) {
            lane.write(lane.ctx().alloc().buffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK));
        }
        lane.flush();
        unflushed = false;
        releaseLease(outcome);
        finish(null, true);
    }

    @Override
    public void failed(Throwable cause) {
        upstreamConnection = null;
        if (finished) {
            return;
        }
        if (!headWritten) {
            attemptFailed(cause, ProxyFailures.kindOf(cause));
            return;
        }
        releaseLease(cause);
        meters.failed();
        fail(new GatewayException(Source.UPSTREAM, false, "http: upstream " + upstream + " (" + endpointName()
                + ") failed mid-response: " + cause.getMessage(), cause));
    }

    /** The client can take more: reading from the upstream resumes. */
    void clientWritable() {
        Http1Connection up = upstreamConnection;
        if (up != null) {
            up.resume();
        }
    }

    /** The client's connection closed. */
    @Override
    void clientGone() {
        if (finished) {
            return;
        }
        releaseLease(null); // the client's doing: not the endpoint's fault
        abandonUpstream(null);
        finish(new ClientGoneException(), false);
    }

    // Failures and retries

    @Override
    boolean upstreamActive() {
        return upstreamConnection != null;
    }

    @Override
    void resetUpstream() {
        abandonUpstream(null);
    }

    @Override
    boolean responseStarted() {
        return headWritten;
    }

    @Override
    boolean requestCommitted() {
        return false; // no body
    }

    @Override
    boolean clientLeft() {
        return !lane.ctx().channel().isActive();
    }

    @Override
    void retrying() {
        retries++;
        upstreamConnection = null;
    }

    private void abandonUpstream(Throwable leaseFailure) {
        if (leaseFailure != null) {
            releaseLease(leaseFailure);
        }
        Http1Connection up = upstreamConnection;
        upstreamConnection = null;
        if (up != null) {
            up.reset();
        }
    }

    @Override
    void fail(Throwable cause) {
        finish(cause, true);
    }

    /**
     * Ends the call once: answers a failure that has not started a response (or cuts off one that has), counts
     * and logs it, and hands the connection back to the lane. {@code clientThere} is false when the client left.
     */
    private void finish(Throwable cause, boolean clientThere) {
        if (!endAttempts()) {
            return;
        }
        if (pendingHead != null) {
            pendingHead.release();
            pendingHead = null;
        }
        boolean close = clientCloses;
        if (cause != null) {
            failure = cause;
            abandonUpstream(null);
            if (clientThere && !headWritten) {
                status = HttpResponses.statusOf(cause);
                lane.write(errorResponse(status, cause instanceof HttpStatusException e
                        ? e.retryAfter().orElse(null) : null, clientCloses || lane.closing()));
                lane.flush();
            } else {
                close = true; // a response cut short: only closing tells the client
                if (status == 0) {
                    status = HttpResponses.CLIENT_CLOSED_REQUEST;
                }
            }
            listener.logFailure(route.name(), method.name(), path, cause);
        }
        listener.requestEnded();
        long nanos = System.nanoTime() - startNanos;
        route.meters().record(status, nanos);
        AccessLog log = listener.accessLog();
        if (log != null) {
            log.write(this, status, nanos);
        }
        if (clientThere) {
            lane.done(this, close);
        }
    }

    private ByteBuf errorResponse(int code, Duration retryAfter, boolean close) {
        String body = code + " " + HttpResponses.reason(code) + "\n";
        StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(code).append(' ')
                .append(HttpResponses.reason(code)).append("\r\ncontent-type: ").append(HttpResponses.TEXT)
                .append("\r\ncontent-length: ").append(body.length()).append("\r\n");
        if (retryAfter != null) {
            head.append("retry-after: ").append(Math.max(1, (retryAfter.toMillis() + 999) / 1000)).append("\r\n");
        }
        if (close) {
            head.append("connection: close\r\n");
        }
        head.append("\r\n").append(body);
        bytesOut = body.length();
        ByteBuf out = lane.ctx().alloc().buffer(head.length());
        ByteBufUtil.writeAscii(out, head);
        return out;
    }

    // AccessLog.Entry

    @Override
    public String listenerName() {
        return listener.name();
    }

    @Override
    public String routeName() {
        return route.name();
    }

    @Override
    public String clientIp() {
        if (clientIp == null) {
            clientIp = ForwardedHeaders.clientIp(lane.peer(), headers, listener.options().trustedProxies());
        }
        return clientIp;
    }

    @Override
    public String methodName() {
        return method.name();
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public String originalPath() {
        return path;
    }

    @Override
    public long bytesIn() {
        return 0;
    }

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public String upstreamName() {
        return upstream;
    }

    @Override
    public String endpointName() {
        return endpoint == null ? "" : endpoint.toString();
    }

    @Override
    public long connectNanos() {
        return connectNanos;
    }

    @Override
    public long firstByteAfterNanos() {
        return firstByteNanos == 0 ? 0 : firstByteNanos - startNanos;
    }

    @Override
    public int retries() {
        return retries;
    }

    @Override
    public Throwable failure() {
        return failure;
    }
}
