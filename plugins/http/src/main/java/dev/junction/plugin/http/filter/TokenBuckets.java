package dev.junction.plugin.http.filter;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Token buckets by key, safe to share between event loops: each bucket is locked only while it is refilled and
 * taken from. A bucket that has refilled completely is the same as no bucket, so buckets idle that long are
 * dropped; the number of keys is capped, and past the cap the oldest-looking buckets are dropped (which only ever
 * makes the limit more lenient for those keys, never stricter).
 */
final class TokenBuckets {

    private static final int SWEEP_EVERY = 1024;

    private final double tokensPerNano;
    private final double capacity;
    private final long refillNanos;
    private final int maxKeys;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger insertions = new AtomicInteger();

    /**
     * @param perSecond tokens added per second
     * @param capacity  the burst: tokens a full bucket holds
     * @param maxKeys   the most buckets kept at once
     */
    TokenBuckets(double perSecond, int capacity, int maxKeys) {
        this.tokensPerNano = perSecond / 1e9;
        this.capacity = capacity;
        this.refillNanos = (long) Math.ceil(capacity / tokensPerNano);
        this.maxKeys = maxKeys;
    }

    /**
     * Takes one token of {@code key}'s bucket at {@code now} ({@link System#nanoTime()}); returns 0 when it was
     * taken, or else the nanoseconds until a token will be there.
     */
    long take(String key, long now) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys || insertions.incrementAndGet() % SWEEP_EVERY == 0) {
                sweep(now);
            }
            bucket = buckets.computeIfAbsent(key, ignored -> new Bucket(capacity, now));
        }
        return bucket.take(now, tokensPerNano, capacity);
    }

    /** Returns how many keys have a bucket. */
    int size() {
        return buckets.size();
    }

    private void sweep(long now) {
        buckets.values().removeIf(bucket -> bucket.idleSince(now) >= refillNanos);
        if (buckets.size() >= maxKeys) {
            // Still full of active keys: drop a tenth of them so the map stays bounded.
            int drop = Math.max(1, maxKeys / 10);
            Iterator<Bucket> iterator = buckets.values().iterator();
            while (drop-- > 0 && iterator.hasNext()) {
                iterator.next();
                iterator.remove();
            }
        }
    }

    private static final class Bucket {

        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized long take(long now, double tokensPerNano, double capacity) {
            long elapsed = now - updated;
            if (elapsed > 0) {
                tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
                updated = now;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
        }

        synchronized long idleSince(long now) {
            return now - updated;
        }
    }
}
