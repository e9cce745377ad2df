package dev.junction.internal.config;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigLocation;
import dev.junction.spi.config.ConfigNode;
import io.vertx.core.net.SocketAddress;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A value of the gateway's YAML configuration, as {@link ConfigLoader} reads it: a mapping, a list, a scalar or a
 * missing value, with its key path and where it was written.
 *
 * <p>Besides {@link ConfigNode}, the core uses {@link #fromEnvironment()} and {@link #unwrapRedacted()} to show the
 * effective configuration without secrets, and {@link #asPort()} for bare port numbers.
 *
 * <pre>{@code
 * YamlConfigNode root = ConfigLoader.load(Path.of("conf/junction.yaml"), System.getenv());
 * root.checkKeys("admin", "runtime", "listeners", "upstreams");
 * SocketAddress admin = root.get("admin").get("address").asAddress();
 * }</pre>
 */
public final class YamlConfigNode implements ConfigNode {

    private static final String REDACTED = "<redacted>";
    private static final List<String> SECRET_KEYS = List.of("token", "password", "secret", "key");
    private static final String DURATION = "a duration such as 250ms, 5s, 10m, 1h";
    private static final String BYTES = "a byte size such as 512, 64KiB, 16MiB, 1GiB";
    private static final String ADDRESS = "host:port such as 127.0.0.1:8080 or [::1]:53";
    private static final int MAXIMUM_PORT = 65_535;

    private enum Kind { MAPPING, LIST, SCALAR, MISSING }

    private final Kind kind;
    private final String path;
    private final ConfigLocation location;
    private final Map<String, YamlConfigNode> entries;
    private final Map<String, ConfigLocation> keyLocations;
    private final List<YamlConfigNode> elements;
    private final String text;
    private final Scalars.Type scalarType;
    private final boolean fromEnvironment;

    private YamlConfigNode(Kind kind, String path, ConfigLocation location, Map<String, YamlConfigNode> entries,
            Map<String, ConfigLocation> keyLocations, List<YamlConfigNode> elements, String text,
            Scalars.Type scalarType, boolean fromEnvironment) {
        this.kind = kind;
        this.path = path;
        this.location = location;
        this.entries = entries;
        this.keyLocations = keyLocations;
        this.elements = elements;
        this.text = text;
        this.scalarType = scalarType;
        this.fromEnvironment = fromEnvironment;
    }

    /** Creates a mapping; {@code keyLocations} holds where each key (not its value) was written. */
    static YamlConfigNode mapping(String path, ConfigLocation location, Map<String, YamlConfigNode> entries,
            Map<String, ConfigLocation> keyLocations) {
        return new YamlConfigNode(Kind.MAPPING, path, location, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(keyLocations), List.of(), null, null, false);
    }

    static YamlConfigNode list(String path, ConfigLocation location, List<YamlConfigNode> elements) {
        return new YamlConfigNode(Kind.LIST, path, location, Map.of(), Map.of(), List.copyOf(elements), null, null,
                false);
    }

    static YamlConfigNode scalar(String path, ConfigLocation location, String text, Scalars.Type type,
            boolean fromEnvironment) {
        return new YamlConfigNode(Kind.SCALAR, path, location, Map.of(), Map.of(), List.of(), text, type,
                fromEnvironment);
    }

    static YamlConfigNode missing(String path, ConfigLocation location) {
        return new YamlConfigNode(Kind.MISSING, path, location, Map.of(), Map.of(), List.of(), null, null, false);
    }

    static String childPath(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String elementPath(String parent, int index) {
        return parent + "[" + index + "]";
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public ConfigLocation location() {
        return location;
    }

    @Override
    public boolean isMissing() {
        return kind == Kind.MISSING;
    }

    @Override
    public boolean isMap() {
        return kind == Kind.MAPPING;
    }

    @Override
    public boolean isList() {
        return kind == Kind.LIST;
    }

    @Override
    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    /** Returns whether this scalar's value was read, at least in part, from an environment variable. */
    public boolean fromEnvironment() {
        return fromEnvironment;
    }

    @Override
    public YamlConfigNode get(String key) {
        Objects.requireNonNull(key, "key");
        requireMappingOrMissing();
        YamlConfigNode child = entries.get(key);
        return child != null ? child : missing(childPath(path, key), location);
    }

    @Override
    public Set<String> keys() {
        requireMappingOrMissing();
        return entries.keySet();
    }

    @Override
    public Map<String, ConfigNode> entries() {
        requireMappingOrMissing();
        return Collections.unmodifiableMap(entries);
    }

    /** Returns where {@code key} of this mapping was written, for errors about the key rather than its value. */
    public Optional<ConfigLocation> keyLocation(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(keyLocations.get(key));
    }

    @Override
    public List<ConfigNode> elements() {
        if (kind != Kind.LIST && kind != Kind.MISSING) {
            throw typeError("a list");
        }
        return Collections.unmodifiableList(elements);
    }

    /**
     * Fails for the first key outside {@code allowed} in file order, at that key's location; the error carries one
     * {@linkplain Throwable#getSuppressed() suppressed} {@link ConfigException} for each further unknown key, which
     * {@link ConfigProblems} collects.
     */
    @Override
    public YamlConfigNode checkKeys(String... allowed) {
        Objects.requireNonNull(allowed, "allowed");
        requireMappingOrMissing();
        List<String> allowedKeys = Arrays.asList(allowed);
        ConfigException first = null;
        for (String key : entries.keySet()) {
            if (allowedKeys.contains(key)) {
                continue;
            }
            ConfigException unknown = new ConfigException(keyLocations.get(key), childPath(path, key),
                    unknownKeyDetail(key, allowedKeys));
            if (first == null) {
                first = unknown;
            } else {
                first.addSuppressed(unknown);
            }
        }
        if (first != null) {
            throw first;
        }
        return this;
    }

    private static String unknownKeyDetail(String key, List<String> allowed) {
        Optional<String> suggestion = Suggestions.closest(key, allowed);
        if (suggestion.isPresent()) {
            return "unknown key (did you mean '" + suggestion.get() + "'?)";
        }
        if (allowed.isEmpty()) {
            return "unknown key (expected no keys here)";
        }
        return "unknown key (expected one of: " + String.join(", ", allowed) + ")";
    }

    @Override
    public String asString() {
        return requireScalar("a string");
    }

    @Override
    public String asString(String defaultValue) {
        return isMissing() ? defaultValue : requireScalar("a string");
    }

    @Override
    public Optional<String> asOptionalString() {
        return isMissing() ? Optional.empty() : Optional.of(requireScalar("a string"));
    }

    @Override
    public int asInt() {
        return (int) integerWithin(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    @Override
    public int asInt(int defaultValue) {
        return isMissing() ? defaultValue : asInt();
    }

    @Override
    public long asLong(long defaultValue) {
        return isMissing() ? defaultValue : integerWithin(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Returns the scalar as a port number from 1 to 65535. Fails when missing, not an integer or out of range. */
    public int asPort() {
        long port = integerWithin(Long.MIN_VALUE, Long.MAX_VALUE);
        if (port < 1 || port > MAXIMUM_PORT) {
            throw typeError("1-" + MAXIMUM_PORT);
        }
        return (int) port;
    }

    private long integerWithin(long minimum, long maximum) {
        String written = requireScalar("an integer");
        BigInteger value = Scalars.integer(written, scalarType).orElseThrow(() -> typeError("an integer"));
        if (value.compareTo(BigInteger.valueOf(minimum)) < 0 || value.compareTo(BigInteger.valueOf(maximum)) > 0) {
            throw typeError("an integer from " + minimum + " to " + maximum);
        }
        return value.longValueExact();
    }

    @Override
    public boolean asBoolean(boolean defaultValue) {
        if (isMissing()) {
            return defaultValue;
        }
        String written = requireScalar("true or false");
        // The core schema also resolves True and TRUE; a quoted "true" is accepted as it is for integers.
        if (scalarType == Scalars.Type.BOOLEAN || written.equals("true") || written.equals("false")) {
            return written.equalsIgnoreCase("true");
        }
        throw typeError("true or false");
    }

    @Override
    public Duration asDuration(Duration defaultValue) {
        if (isMissing()) {
            return defaultValue;
        }
        return Scalars.duration(requireScalar(DURATION)).orElseThrow(() -> typeError(DURATION));
    }

    @Override
    public long asBytes(long defaultValue) {
        if (isMissing()) {
            return defaultValue;
        }
        return Scalars.bytes(requireScalar(BYTES)).orElseThrow(() -> typeError(BYTES));
    }

    @Override
    public SocketAddress asAddress() {
        String written = requireScalar(ADDRESS);
        String host;
        String port;
        if (written.startsWith("[")) {
            int close = written.indexOf(']');
            if (close < 0 || !written.startsWith(":", close + 1)) {
                throw typeError(ADDRESS);
            }
            host = written.substring(1, close);
            port = written.substring(close + 2);
        } else {
            int colon = written.lastIndexOf(':');
            if (colon < 0) {
                throw typeError(ADDRESS);
            }
            host = written.substring(0, colon);
            port = written.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                // An IPv6 literal without brackets is ambiguous: which colon starts the port?
                throw typeError(ADDRESS);
            }
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace) || port.isEmpty()
                || port.length() > 5 || !port.chars().allMatch(character -> character >= '0' && character <= '9')) {
            throw typeError(ADDRESS);
        }
        int portNumber = Integer.parseInt(port);
        if (portNumber > MAXIMUM_PORT) {
            throw typeError("port 0-" + MAXIMUM_PORT);
        }
        return SocketAddress.inetSocketAddress(portNumber, host);
    }

    @Override
    public <E extends Enum<E>> E asEnum(Class<E> type, E defaultValue) {
        Objects.requireNonNull(type, "type");
        if (isMissing()) {
            return defaultValue;
        }
        E[] constants = type.getEnumConstants();
        List<String> names = new ArrayList<>(constants.length);
        for (E constant : constants) {
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        String expected = "one of " + String.join(", ", names);
        String written = requireScalar(expected);
        int index = names.indexOf(written);
        if (index >= 0) {
            return constants[index];
        }
        throw typeError(expected + Suggestions.closest(written, names).map(name -> "; did you mean '" + name + "'?")
                .orElse(""));
    }

    /**
     * Returns the plain Java value: {@code LinkedHashMap} in file order, {@code List}, {@code String},
     * {@code Integer} or {@code Long} (or {@code BigInteger} beyond a long), {@code Double}, {@code Boolean}, or null
     * when missing. Two configurations are the same when their unwrapped values are equal.
     */
    @Override
    public Object unwrap() {
        return plain(false);
    }

    /**
     * Returns {@link #unwrap()} with every value read from the environment, and every present value under a key named
     * {@code token}, {@code password}, {@code secret} or {@code key} (or ending in {@code -token}, {@code -password},
     * {@code -secret}, {@code -key}), replaced by {@code "<redacted>"}; for the admin API's {@code /config}.
     */
    public Object unwrapRedacted() {
        return plain(true);
    }

    private Object plain(boolean redact) {
        return switch (kind) {
            case MISSING -> null;
            case LIST -> {
                List<Object> list = new ArrayList<>(elements.size());
                for (YamlConfigNode element : elements) {
                    list.add(element.plain(redact));
                }
                yield list;
            }
            case MAPPING -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, YamlConfigNode> entry : entries.entrySet()) {
                    YamlConfigNode value = entry.getValue();
                    boolean secret = redact && isSecretKey(entry.getKey()) && !value.isMissing();
                    map.put(entry.getKey(), secret ? REDACTED : value.plain(redact));
                }
                yield map;
            }
            case SCALAR -> redact && fromEnvironment ? REDACTED : scalarValue();
        };
    }

    private Object scalarValue() {
        return switch (scalarType) {
            case STRING -> text;
            case BOOLEAN -> text.equalsIgnoreCase("true");
            case FLOAT -> Scalars.floatingPoint(text);
            case INTEGER -> {
                BigInteger value = Scalars.integer(text, scalarType).orElseThrow();
                if (value.bitLength() < Integer.SIZE) {
                    yield value.intValue();
                }
                yield value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
            }
        };
    }

    static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String secret : SECRET_KEYS) {
            if (lower.equals(secret) || lower.endsWith("-" + secret)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ConfigException error(String detail) {
        Objects.requireNonNull(detail, "detail");
        return new ConfigException(location, path, detail);
    }

    private void requireMappingOrMissing() {
        if (kind != Kind.MAPPING && kind != Kind.MISSING) {
            throw typeError("a mapping");
        }
    }

    private String requireScalar(String expected) {
        if (kind == Kind.SCALAR) {
            return text;
        }
        throw typeError(expected);
    }

    private ConfigException typeError(String expected) {
        if (kind == Kind.MISSING) {
            String what = path.endsWith("]") ? "missing required value" : "missing required key";
            return error(what + " (expected: " + expected + ")");
        }
        return error(describe() + " (expected: " + expected + ")");
    }

    /** Returns the value as an error message shows it: strings quoted, numbers and booleans as written. */
    private String describe() {
        return switch (kind) {
            case MAPPING -> "a mapping";
            case LIST -> "a list";
            case MISSING -> "nothing";
            case SCALAR -> scalarType == Scalars.Type.STRING ? Scalars.quote(text) : text;
        };
    }

    /** Shows kind, path and location only: the value may be a secret. */
    @Override
    public String toString() {
        return "YamlConfigNode[" + kind.name().toLowerCase(Locale.ROOT) + " " + (path.isEmpty() ? "<root>" : path)
                + " at " + location + "]";
    }
}
