package dev.junction.spi.config;

import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view of one value of the gateway's YAML configuration that knows its key path and where it was
 * written, so every error a plugin reports points at the file, line and column.
 *
 * <p>Typical use in a factory, validating everything at creation:
 * <pre>{@code
 * ConfigNode options = context.options();
 * options.checkKeys("idle-timeout", "connect-timeout");            // unknown keys fail with a suggestion
 * Duration idle = options.get("idle-timeout").asDuration(Duration.ofMinutes(10));
 * if (idle.isNegative()) {
 *     throw options.get("idle-timeout").error(idle + " (expected: >= 0)");
 * }
 * }</pre>
 *
 * <p>Getters that take a default return it when the value is {@linkplain #isMissing() missing}; getters without a
 * default fail with a {@link ConfigException} naming the missing key. Interpolation of {@code ${VAR}} and
 * {@code ${VAR:-default}} has already happened when a plugin sees a value.
 */
public interface ConfigNode {

    /** Returns the dotted key path of this value, such as {@code listeners.tcp-in.options}; empty for the root. */
    String path();

    /** Returns where this value was written; for a missing value, where its parent was written. */
    ConfigLocation location();

    /** Returns whether the key is absent (or explicitly {@code null}). */
    boolean isMissing();

    /** Returns whether this value is a mapping. */
    boolean isMap();

    /** Returns whether this value is a sequence. */
    boolean isList();

    /** Returns whether this value is a scalar (string, number, boolean). */
    boolean isScalar();

    /** Returns the value under {@code key} of this mapping, or a missing node. Fails if this is not a mapping. */
    ConfigNode get(String key);

    /** Returns the keys of this mapping in file order; empty when missing. Fails if this is not a mapping. */
    Set<String> keys();

    /** Returns the entries of this mapping in file order; empty when missing. Fails if this is not a mapping. */
    Map<String, ConfigNode> entries();

    /** Returns the elements of this sequence; empty when missing. Fails if this is not a sequence. */
    List<ConfigNode> elements();

    /**
     * Fails with a "did you mean" suggestion if this mapping has a key outside {@code allowed}.
     *
     * @return this node, for chaining
     */
    ConfigNode checkKeys(String... allowed);

    /** Returns the scalar as a string. Fails when missing or not a scalar. */
    String asString();

    /** Returns the scalar as a string, or {@code defaultValue} when missing. */
    String asString(String defaultValue);

    /** Returns the scalar as a string if present. */
    Optional<String> asOptionalString();

    /** Returns the scalar as an int. Fails when missing or not an integer. */
    int asInt();

    /** Returns the scalar as an int, or {@code defaultValue} when missing. */
    int asInt(int defaultValue);

    /** Returns the scalar as a long, or {@code defaultValue} when missing. */
    long asLong(long defaultValue);

    /** Returns the scalar as a boolean ({@code true}/{@code false}), or {@code defaultValue} when missing. */
    boolean asBoolean(boolean defaultValue);

    /**
     * Returns the scalar as a duration, written {@code 250ms}, {@code 5s}, {@code 10m}, {@code 1h} or {@code 2d},
     * or {@code defaultValue} when missing.
     */
    Duration asDuration(Duration defaultValue);

    /** Returns the scalar as a byte count, written {@code 512}, {@code 64KiB}, {@code 16MiB} or {@code 1GiB}. */
    long asBytes(long defaultValue);

    /** Returns the scalar {@code host:port} (IPv6 as {@code [::1]:53}) as an unresolved socket address. */
    SocketAddress asAddress();

    /**
     * Returns the scalar as one of {@code values}, accepting the kebab-case spelling of the constant names
     * ({@code round-robin} for {@code ROUND_ROBIN}), or {@code defaultValue} when missing.
     */
    <E extends Enum<E>> E asEnum(Class<E> type, E defaultValue);

    /** Returns the plain Java value: {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean} or null. */
    Object unwrap();

    /** Creates an error about this value, carrying its location and path. */
    ConfigException error(String detail);
}
