package dev.junction.plugin.http;

import dev.junction.spi.GatewayException;
import dev.junction.spi.GatewayException.Source;
import dev.junction.spi.http.HttpStatusException;
import dev.junction.spi.upstream.Endpoint;
import dev.junction.spi.upstream.EndpointLease;
import dev.junction.spi.upstream.Selection;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The attempts of one proxied request, as both of the proxy's paths make them ({@link ProxyCall} over Vert.x's
 * request objects, {@link LaneCall} on the HTTP/1.1 fast path): lease an endpoint, send, and on a failure try
 * another endpoint when the route's retry policy and budget allow it and nothing went to the client yet; the
 * deadlines (whole request, first byte, idle) are checked by the event loop's {@link ProxyTimeouts} sweep.
 * Subclasses send and answer; this class decides. Confined to the request's event loop.
 */
abstract class ProxyAttempts extends ProxyTimeouts.Entry {

    final ProxyAction action;
    final boolean idempotent;
    private final MeterRegistry registry;
    private final ProxyTimeouts timeouts;
    private final long requestDeadline;
    /** When the current attempt must have its response head, in {@code System.nanoTime()} terms; 0 when not armed. */
    private long firstByteDeadline;
    /** Bytes moved either way: the sweep compares it with its last reading to tell idleness. */
    long activity;
    private long activitySeen = -1;
    private long idleSince;
    int attempt;
    private Set<Endpoint> tried = Set.of();
    ProxyAction.Target target;
    ProxyAction.UpstreamMeters meters;
    EndpointLease lease;
    private boolean retrySlot;
    private Throwable lastFailure;
    boolean finished;

    ProxyAttempts(ProxyAction action, boolean idempotent, MeterRegistry registry, EventLoop loop, long startNanos) {
        this.action = action;
        this.idempotent = idempotent;
        this.registry = registry;
        this.timeouts = ProxyTimeouts.current(loop);
        this.requestDeadline = action.requestMillis > 0
                ? startNanos + TimeUnit.MILLISECONDS.toNanos(action.requestMillis) : 0;
    }

    // What subclasses provide.

    /** Returns what consistent hashing hashes on for this request. */
    abstract String hashKey();

    /** Sends the request to the leased endpoint ({@link #lease}). */
    abstract void send(Endpoint endpoint);

    /** Returns whether the current attempt has an upstream request in flight. */
    abstract boolean upstreamActive();

    /** Abandons the current attempt's upstream request, if any; its own failure is not reported. */
    abstract void resetUpstream();

    /** Returns whether anything went to the client already, so another attempt is not possible. */
    abstract boolean responseStarted();

    /** Returns whether something of the request was sent that cannot be sent again (a body). */
    abstract boolean requestCommitted();

    /** Returns whether the client went away; a failure then is not the endpoint's. */
    abstract boolean clientLeft();

    /** The client left: ends the call without blaming the endpoint. */
    abstract void clientGone();

    /** Counts a retry in the request's log and prepares the request for sending again. */
    abstract void retrying();

    /** Ends the call with {@code failure}, answering the client if nothing went out yet. */
    abstract void fail(Throwable failure);

    // The attempts.

    /** Registers the call's deadlines with the sweep and makes the first attempt. */
    final void begin() {
        action.inFlight.incrementAndGet();
        if (requestDeadline != 0 || action.firstByteMillis > 0 || action.idleMillis > 0) {
            timeouts.add(this);
        }
        nextAttempt();
    }

    private void nextAttempt() {
        attempt++;
        target = action.pick();
        meters = action.meters(target, registry);
        Future<EndpointLease> leased = target.upstream().acquire(new Selection(hashKey(), tried));
        if (leased.isComplete()) {
            leased(leased);
        } else {
            leased.onComplete(this::leased);
        }
    }

    private void leased(AsyncResult<EndpointLease> result) {
        if (finished) {
            if (result.succeeded()) {
                result.result().success();
            }
            return;
        }
        if (result.failed()) {
            // When every endpoint was tried, the client hears about the failure that led here.
            fail(lastFailure != null ? lastFailure : ProxyFailures.noEndpoint(result.cause()));
            return;
        }
        lease = result.result();
        send(lease.endpoint());
    }

    /** Starts the first-byte deadline: the request was complete upstream at {@code nowNanos}. */
    final void armFirstByte(long nowNanos) {
        if (action.firstByteMillis > 0) {
            firstByteDeadline = nowNanos + TimeUnit.MILLISECONDS.toNanos(action.firstByteMillis);
        }
    }

    /** The response head arrived: the first-byte deadline is met. */
    final void firstByteArrived() {
        firstByteDeadline = 0;
        activity++;
    }

    @Override
    final void sweep(long now) {
        if (finished) {
            timeouts.remove(this);
            return;
        }
        if (requestDeadline != 0 && now - requestDeadline >= 0) {
            String why = "the whole request took longer than timeouts.request (" + action.requestMillis + "ms)";
            releaseLease(new TimeoutException(why));
            fail(new HttpStatusException(504, Source.UPSTREAM, false, "http: " + why, null));
            resetUpstream();
            return;
        }
        if (firstByteDeadline != 0 && now - firstByteDeadline >= 0) {
            firstByteDeadline = 0;
            resetUpstream(); // its own failure must not be taken for the outcome
            attemptFailed(new TimeoutException("no response within timeouts.first-byte ("
                    + action.firstByteMillis + "ms)"), ProxyFailures.Kind.TIMEOUT);
            return;
        }
        if (action.idleMillis > 0 && upstreamActive()) {
            if (activity != activitySeen) {
                activitySeen = activity;
                idleSince = now;
            } else if (now - idleSince >= TimeUnit.MILLISECONDS.toNanos(action.idleMillis)) {
                resetUpstream();
                if (responseStarted()) {
                    String endpoint = lease == null ? "" : " (" + lease.endpoint() + ")";
                    releaseLease(new TimeoutException("idle"));
                    fail(new GatewayException(Source.UPSTREAM, false, "http: upstream " + target.upstream().name()
                            + endpoint + " idle for longer than timeouts.idle (" + action.idleMillis
                            + "ms) mid-response"));
                } else {
                    attemptFailed(new TimeoutException("no byte either way within timeouts.idle ("
                            + action.idleMillis + "ms)"), ProxyFailures.Kind.TIMEOUT);
                }
            }
        }
    }

    /** The current attempt failed: tries another endpoint when allowed, else fails the call. */
    final void attemptFailed(Throwable cause, ProxyFailures.Kind kind) {
        firstByteDeadline = 0;
        if (finished) {
            return;
        }
        if (clientLeft()) {
            clientGone(); // the upstream request failed because the client left: not the endpoint's fault
            return;
        }
        meters.failed();
        Endpoint endpoint = lease == null ? null : lease.endpoint();
        releaseLease(cause);
        String where = "http: upstream " + target.upstream().name() + (endpoint == null ? "" : " (" + endpoint + ")");
        lastFailure = ProxyFailures.attemptFailed(where, cause, kind);
        if (mayRetry(kind)) {
            if (endpoint != null) {
                Set<Endpoint> excluded = new HashSet<>(tried);
                excluded.add(endpoint);
                tried = excluded;
            }
            retry();
            return;
        }
        fail(lastFailure);
    }

    /** The upstream answered {@code status}: returns true when that answer is to be retried (and retries). */
    final boolean retriesStatus(int status) {
        if (!action.retryOn.status(status) || !mayRetry(ProxyFailures.Kind.STATUS)) {
            return false;
        }
        lease.failure(new GatewayException(Source.UPSTREAM, true, "http: upstream answered " + status));
        lease = null;
        resetUpstream();
        retry();
        return true;
    }

    private boolean mayRetry(ProxyFailures.Kind kind) {
        if (attempt >= action.attempts || requestCommitted() || responseStarted() || clientLeft()) {
            return false;
        }
        if (!ProxyFailures.retryAllowed(action, kind, idempotent)) {
            return false;
        }
        if (!retrySlot) {
            if (!action.acquireRetry()) {
                return false;
            }
            retrySlot = true;
        }
        return true;
    }

    private void retry() {
        meters.retries.increment();
        retrying();
        nextAttempt();
    }

    /** Tells the endpoint's health how the attempt went: {@code null} for a success or the client's doing. */
    final void releaseLease(Throwable failure) {
        EndpointLease current = lease;
        lease = null;
        if (current != null) {
            if (failure == null) {
                current.success();
            } else {
                current.failure(failure);
            }
        }
    }

    /** Marks the call finished for the sweep and the retry budget; returns false when it already was. */
    final boolean endAttempts() {
        if (finished) {
            return false;
        }
        finished = true;
        timeouts.remove(this);
        action.inFlight.decrementAndGet();
        if (retrySlot) {
            action.releaseRetry();
        }
        return true;
    }
}
