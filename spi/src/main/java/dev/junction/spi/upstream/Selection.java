package dev.junction.spi.upstream;

import java.util.Objects;
import java.util.Set;

/**
 * Hints for choosing an endpoint.
 *
 * @param hashKey the key for consistent hashing (a client address, a header value), or empty
 * @param exclude endpoints not to choose, such as those already tried for this connection
 */
public record Selection(String hashKey, Set<Endpoint> exclude) {

    /** No hints. */
    public static final Selection ANY = new Selection("", Set.of());

    /** Creates hints. */
    public Selection {
        Objects.requireNonNull(hashKey, "hashKey");
        exclude = Set.copyOf(exclude);
    }
}
