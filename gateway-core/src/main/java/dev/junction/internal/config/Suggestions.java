package dev.junction.internal.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the closest known name to a misspelt one, for "did you mean" hints in configuration errors such as
 * {@code unknown upstream 'bakend' (did you mean 'backend'?)}.
 *
 * <pre>{@code
 * Suggestions.closest("adress", List.of("address", "protocol"))   // Optional[address]
 * }</pre>
 */
public final class Suggestions {

    /** Beyond two edits a suggestion is more often confusing than helpful. */
    private static final int MAXIMUM_DISTANCE = 2;

    /** Shorter inputs prefix too many names to make a prefix match meaningful. */
    private static final int MINIMUM_PREFIX_LENGTH = 3;

    private Suggestions() {
    }

    /**
     * Returns the candidate closest to {@code input}: one equal ignoring case, else the first within edit distance 2
     * (ignoring case, and fewer edits than {@code input} has characters), else the shortest one that {@code input}
     * is a prefix of or that is a prefix of {@code input}; empty when none is close.
     */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(candidates, "candidates");
        if (input.isEmpty()) {
            return Optional.empty();
        }
        String lowerInput = input.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            if (candidate.equalsIgnoreCase(input)) {
                return Optional.of(candidate);
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(lowerInput, candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best != null && bestDistance <= MAXIMUM_DISTANCE && bestDistance < input.length()) {
            return Optional.of(best);
        }
        String bestPrefix = null;
        for (String candidate : candidates) {
            String lowerCandidate = candidate.toLowerCase(Locale.ROOT);
            boolean related = lowerCandidate.startsWith(lowerInput) || lowerInput.startsWith(lowerCandidate);
            if (related && Math.min(input.length(), candidate.length()) >= MINIMUM_PREFIX_LENGTH
                    && (bestPrefix == null || candidate.length() < bestPrefix.length())) {
                bestPrefix = candidate;
            }
        }
        return Optional.ofNullable(bestPrefix);
    }

    /** Returns the Levenshtein distance: insertions, deletions and substitutions turning {@code from} into {@code to}. */
    static int distance(String from, String to) {
        int[] previous = new int[to.length() + 1];
        int[] current = new int[to.length() + 1];
        for (int column = 0; column <= to.length(); column++) {
            previous[column] = column;
        }
        for (int row = 1; row <= from.length(); row++) {
            current[0] = row;
            for (int column = 1; column <= to.length(); column++) {
                int substitution = previous[column - 1] + (from.charAt(row - 1) == to.charAt(column - 1) ? 0 : 1);
                current[column] = Math.min(substitution, Math.min(previous[column], current[column - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[to.length()];
    }
}
