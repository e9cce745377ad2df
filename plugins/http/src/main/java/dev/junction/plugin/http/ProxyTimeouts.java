package dev.junction.plugin.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of the proxy calls of one event loop, checked by one sweep every {@value #SWEEP_MILLIS} ms instead
 * of a timer per request: arming and cancelling a timer for each request costs more than the whole routing step,
 * and timeouts of seconds do not need millisecond precision. Calls are kept in an intrusive list; everything here
 * runs on the owning event loop.
 */
final class ProxyTimeouts implements Runnable {

    static final long SWEEP_MILLIS = 100;

    private static final FastThreadLocal<ProxyTimeouts> PER_LOOP = new FastThreadLocal<>();

    /** What a call needs to be swept. */
    abstract static class Entry {
        Entry previous;
        Entry next;
        boolean listed;

        /** Checks the entry's deadlines against {@code now} and acts on those that passed. */
        abstract void sweep(long now);
    }

    private final EventLoop loop;
    private Entry head;
    private boolean scheduled;

    private ProxyTimeouts(EventLoop loop) {
        this.loop = loop;
    }

    /** Returns the sweeper of the calling event loop. */
    static ProxyTimeouts current(EventLoop loop) {
        ProxyTimeouts timeouts = PER_LOOP.get();
        if (timeouts == null) {
            timeouts = new ProxyTimeouts(loop);
            PER_LOOP.set(timeouts);
        }
        return timeouts;
    }

    void add(Entry entry) {
        if (entry.listed) {
            return;
        }
        entry.listed = true;
        entry.previous = null;
        entry.next = head;
        if (head != null) {
            head.previous = entry;
        }
        head = entry;
        if (!scheduled) {
            scheduled = true;
            loop.schedule(this, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void remove(Entry entry) {
        if (!entry.listed) {
            return;
        }
        entry.listed = false;
        if (entry.previous != null) {
            entry.previous.next = entry.next;
        } else {
            head = entry.next;
        }
        if (entry.next != null) {
            entry.next.previous = entry.previous;
        }
        entry.previous = null;
        entry.next = null;
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        Entry entry = head;
        while (entry != null) {
            Entry next = entry.next; // sweep() may remove the entry
            entry.sweep(now);
            entry = next;
        }
        if (head != null) {
            loop.schedule(this, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            scheduled = false;
        }
    }
}
