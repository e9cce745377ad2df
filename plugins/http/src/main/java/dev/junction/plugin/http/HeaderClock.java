package dev.junction.plugin.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/**
 * The request-header timeout of one HTTP/1.x connection (slowloris protection): how long a request head has been
 * arriving, checked on the connection's event loop. The clock runs from the connection's opening until its first
 * head is complete, and from the first byte of each later head until that head is complete; time between requests
 * is the idle timeout's business. HTTP/2 connections stop the clock once their preface arrived.
 */
final class HeaderClock implements Runnable {

    private static final AttributeKey<HeaderClock> KEY = AttributeKey.valueOf("junction.http.headerClock");

    private final Channel channel;
    private final long timeoutNanos;
    private final Runnable timedOut;
    /** When the head being waited for started arriving, or -1 when no head is pending. */
    private long headSince;
    private boolean stopped;

    private HeaderClock(Channel channel, long timeoutNanos, Runnable timedOut) {
        this.channel = channel;
        this.timeoutNanos = timeoutNanos;
        this.timedOut = timedOut;
    }

    /** Starts the clock of a connection that was just accepted; called on its event loop. */
    static void start(Channel channel, long timeoutNanos, Runnable timedOut) {
        HeaderClock clock = new HeaderClock(channel, timeoutNanos, timedOut);
        clock.headSince = System.nanoTime();
        channel.attr(KEY).set(clock);
        clock.schedule(timeoutNanos);
    }

    /** Returns the clock of {@code channel}, or null when the listener has no request-header timeout. */
    static HeaderClock of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** Stops the clock for good: the connection speaks HTTP/2. */
    static void stop(Channel channel) {
        HeaderClock clock = of(channel);
        if (clock != null) {
            clock.stopped = true;
        }
    }

    /** Tells whether a head is arriving now (part of one was read) or not (between requests, or in a body). */
    void inHead(boolean inHead) {
        if (inHead) {
            if (headSince < 0) {
                headSince = System.nanoTime();
            }
        } else {
            headSince = -1;
        }
    }

    private void schedule(long delayNanos) {
        channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        if (stopped || !channel.isActive()) {
            return;
        }
        if (headSince < 0) {
            schedule(timeoutNanos / 2);
            return;
        }
        long waited = System.nanoTime() - headSince;
        if (waited >= timeoutNanos) {
            stopped = true;
            timedOut.run();
            channel.close();
        } else {
            schedule(timeoutNanos - waited);
        }
    }
}
