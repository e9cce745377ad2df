package dev.junction.internal.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Chooses one endpoint among candidates. Implementations are immutable snapshots of an endpoint list (rebuilt
 * when discovery changes it) and thread-safe.
 */
abstract sealed class LoadBalancer {

    final EndpointState[] endpoints;

    LoadBalancer(List<EndpointState> endpoints) {
        this.endpoints = endpoints.toArray(EndpointState[]::new);
    }

    /** Returns a chosen endpoint that passes {@code eligible}, or null when none does. */
    abstract EndpointState choose(String hashKey, Predicate<EndpointState> eligible);

    static LoadBalancer create(UpstreamSettings.LoadBalancing policy, List<EndpointState> endpoints) {
        return switch (policy) {
            case ROUND_ROBIN -> new RoundRobin(endpoints);
            case LEAST_REQUEST -> new LeastRequest(endpoints);
            case RANDOM -> new WeightedRandom(endpoints);
            case CONSISTENT_HASH -> new ConsistentHash(endpoints);
        };
    }

    /** Weighted round robin over a schedule that repeats each endpoint by its weight, interleaved. */
    static final class RoundRobin extends LoadBalancer {
        private final EndpointState[] schedule;
        private final AtomicLong next = new AtomicLong();

        RoundRobin(List<EndpointState> endpoints) {
            super(endpoints);
            int maxWeight = endpoints.stream().mapToInt(e -> e.endpoint.weight()).max().orElse(0);
            java.util.ArrayList<EndpointState> slots = new java.util.ArrayList<>();
            for (int round = 0; round < maxWeight; round++) {
                for (EndpointState endpoint : endpoints) {
                    if (endpoint.endpoint.weight() > round) {
                        slots.add(endpoint);
                    }
                }
            }
            this.schedule = slots.toArray(EndpointState[]::new);
        }

        @Override
        EndpointState choose(String hashKey, Predicate<EndpointState> eligible) {
            int size = schedule.length;
            if (size == 0) {
                return null;
            }
            long start = next.getAndIncrement();
            for (int i = 0; i < size; i++) {
                EndpointState candidate = schedule[(int) Math.floorMod(start + i, (long) size)];
                if (eligible.test(candidate)) {
                    return candidate;
                }
            }
            return null;
        }
    }

    /** Least request by the power of two choices: two random eligible endpoints, the one with fewer per weight. */
    static final class LeastRequest extends LoadBalancer {
        LeastRequest(List<EndpointState> endpoints) {
            super(endpoints);
        }

        @Override
        EndpointState choose(String hashKey, Predicate<EndpointState> eligible) {
            EndpointState[] candidates = Arrays.stream(endpoints).filter(eligible).toArray(EndpointState[]::new);
            if (candidates.length <= 1) {
                return candidates.length == 0 ? null : candidates[0];
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int first = random.nextInt(candidates.length);
            int second = random.nextInt(candidates.length - 1);
            if (second >= first) {
                second++;
            }
            EndpointState a = candidates[first];
            EndpointState b = candidates[second];
            // Compare active/weight without division: a.active * b.weight vs b.active * a.weight.
            long loadA = (long) a.active.get() * b.endpoint.weight();
            long loadB = (long) b.active.get() * a.endpoint.weight();
            return loadA <= loadB ? a : b;
        }
    }

    /** Weighted random choice. */
    static final class WeightedRandom extends LoadBalancer {
        WeightedRandom(List<EndpointState> endpoints) {
            super(endpoints);
        }

        @Override
        EndpointState choose(String hashKey, Predicate<EndpointState> eligible) {
            return weightedRandom(endpoints, eligible);
        }
    }

    static EndpointState weightedRandom(EndpointState[] endpoints, Predicate<EndpointState> eligible) {
        int total = 0;
        for (EndpointState endpoint : endpoints) {
            if (eligible.test(endpoint)) {
                total += endpoint.endpoint.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        int pick = ThreadLocalRandom.current().nextInt(total);
        for (EndpointState endpoint : endpoints) {
            if (eligible.test(endpoint)) {
                pick -= endpoint.endpoint.weight();
                if (pick < 0) {
                    return endpoint;
                }
            }
        }
        return null;
    }

    /**
     * Consistent hashing on a ring with 100 virtual nodes per unit of weight (Ketama-like): a key keeps its endpoint
     * while that endpoint is eligible, and only keys of a removed endpoint move. An empty key falls back to random.
     */
    static final class ConsistentHash extends LoadBalancer {
        private static final int VIRTUAL_NODES_PER_WEIGHT = 100;
        private final long[] ring;
        private final EndpointState[] owners;

        ConsistentHash(List<EndpointState> endpoints) {
            super(endpoints);
            int total = endpoints.stream().mapToInt(e -> e.endpoint.weight() * VIRTUAL_NODES_PER_WEIGHT).sum();
            long[][] points = new long[total][2];
            int index = 0;
            for (int e = 0; e < endpoints.size(); e++) {
                EndpointState endpoint = endpoints.get(e);
                for (int v = 0; v < endpoint.endpoint.weight() * VIRTUAL_NODES_PER_WEIGHT; v++) {
                    points[index][0] = hash(endpoint.endpoint + "#" + v);
                    points[index][1] = e;
                    index++;
                }
            }
            Arrays.sort(points, (x, y) -> Long.compare(x[0], y[0]));
            this.ring = new long[total];
            this.owners = new EndpointState[total];
            for (int i = 0; i < total; i++) {
                ring[i] = points[i][0];
                owners[i] = endpoints.get((int) points[i][1]);
            }
        }

        @Override
        EndpointState choose(String hashKey, Predicate<EndpointState> eligible) {
            if (hashKey.isEmpty() || ring.length == 0) {
                return weightedRandom(endpoints, eligible);
            }
            int position = Arrays.binarySearch(ring, hash(hashKey));
            if (position < 0) {
                position = -position - 1;
            }
            for (int i = 0; i < ring.length; i++) {
                EndpointState candidate = owners[(position + i) % ring.length];
                if (eligible.test(candidate)) {
                    return candidate;
                }
            }
            return null;
        }

        /** 64-bit FNV-1a followed by a murmur3 finalizer, for an even spread of short keys. */
        static long hash(String key) {
            long hash = 0xcbf29ce484222325L;
            for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
                hash ^= b;
                hash *= 0x100000001b3L;
            }
            hash ^= hash >>> 33;
            hash *= 0xff51afd7ed558ccdL;
            hash ^= hash >>> 33;
            hash *= 0xc4ceb9fe1a85ec53L;
            hash ^= hash >>> 33;
            return hash;
        }
    }
}
