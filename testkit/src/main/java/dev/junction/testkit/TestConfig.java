package dev.junction.testkit;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigLocation;
import dev.junction.spi.config.ConfigNode;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A hand-written {@link ConfigNode} over plain maps, lists and scalars, as the YAML loader would produce them. */
public final class TestConfig implements ConfigNode {

    private static final ConfigLocation LOCATION = new ConfigLocation("test.yaml", 1, 1);
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final String path;
    private final Object value;

    private TestConfig(String path, Object value) {
        this.path = path;
        this.value = value;
    }

    /** Returns a node for {@code value} at {@code path}. */
    /** Returns a node holding {@code value} (maps, lists, strings, numbers, booleans) at {@code path}. */
    public static TestConfig at(String path, Object value) {
        return new TestConfig(path, value);
    }

    /** Returns a missing node at {@code path}. */
    /** Returns a missing node at {@code path}. */
    public static TestConfig missing(String path) {
        return new TestConfig(path, null);
    }

    /** Builds an ordered map from alternating keys and values. */
    /** Returns an ordered map from alternating keys and values. */
    public static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public ConfigLocation location() {
        return LOCATION;
    }

    @Override
    public boolean isMissing() {
        return value == null;
    }

    @Override
    public boolean isMap() {
        return value instanceof Map;
    }

    @Override
    public boolean isList() {
        return value instanceof List;
    }

    @Override
    public boolean isScalar() {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    @Override
    public ConfigNode get(String key) {
        if (value == null) {
            return missing(child(key));
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw error("not a mapping");
        }
        return new TestConfig(child(key), map.get(key));
    }

    @Override
    public Set<String> keys() {
        return entries().keySet();
    }

    @Override
    public Map<String, ConfigNode> entries() {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw error("not a mapping");
        }
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        map.forEach((k, v) -> entries.put((String) k, new TestConfig(child((String) k), v)));
        return entries;
    }

    @Override
    public List<ConfigNode> elements() {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw error("not a sequence");
        }
        List<ConfigNode> elements = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            elements.add(new TestConfig(path + "[" + i + "]", list.get(i)));
        }
        return elements;
    }

    @Override
    public ConfigNode checkKeys(String... allowed) {
        Set<String> known = new LinkedHashSet<>(Arrays.asList(allowed));
        for (String key : keys()) {
            if (!known.contains(key)) {
                throw new TestConfig(child(key), null).error("unknown key (expected one of: " + known + ")");
            }
        }
        return this;
    }

    private String scalar() {
        if (value == null) {
            throw error("missing (expected: a value)");
        }
        if (!isScalar()) {
            throw error(value + " (expected: a scalar)");
        }
        return String.valueOf(value);
    }

    @Override
    public String asString() {
        return scalar();
    }

    @Override
    public String asString(String defaultValue) {
        return value == null ? defaultValue : scalar();
    }

    @Override
    public Optional<String> asOptionalString() {
        return value == null ? Optional.empty() : Optional.of(scalar());
    }

    @Override
    public int asInt() {
        try {
            return Integer.parseInt(scalar());
        } catch (NumberFormatException e) {
            throw error('"' + scalar() + "\" (expected: an integer)");
        }
    }

    @Override
    public int asInt(int defaultValue) {
        return value == null ? defaultValue : asInt();
    }

    @Override
    public long asLong(long defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(scalar());
        } catch (NumberFormatException e) {
            throw error('"' + scalar() + "\" (expected: an integer)");
        }
    }

    @Override
    public boolean asBoolean(boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        return switch (scalar()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error('"' + scalar() + "\" (expected: true or false)");
        };
    }

    @Override
    public Duration asDuration(Duration defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        String text = scalar();
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw error('"' + text + "\" (expected: a duration such as 250ms, 5s, 10m, 1h)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    @Override
    public long asBytes(long defaultValue) {
        return asLong(defaultValue);
    }

    @Override
    public SocketAddress asAddress() {
        String text = scalar();
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return SocketAddress.inetSocketAddress(Integer.parseInt(text.substring(colon + 1)), host);
    }

    @Override
    public <E extends Enum<E>> E asEnum(Class<E> type, E defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        String text = scalar();
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (name.equals(text)) {
                return constant;
            }
            names.add(name);
        }
        throw error('"' + text + "\" (expected: one of " + String.join(", ", names) + ")");
    }

    @Override
    public Object unwrap() {
        return value;
    }

    @Override
    public ConfigException error(String detail) {
        return new ConfigException(LOCATION, path, detail);
    }
}
