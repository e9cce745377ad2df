package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small readers for configuration values, reporting errors at the offending key. */
final class Config {

    private Config() {
    }

    /** Checks that {@code node} is a mapping (or absent) with only {@code allowed} keys. */
    static ConfigNode mapping(ConfigNode node, String... allowed) {
        if (node.isMissing()) {
            return node;
        }
        if (!node.isMap()) {
            throw node.error(describe(node) + " (expected: a mapping)");
        }
        return node.checkKeys(allowed);
    }

    /** Reads a duration that fits in an int of milliseconds; zero is allowed only when {@code zeroAllowed}. */
    static Duration duration(ConfigNode node, Duration defaultValue, boolean zeroAllowed) {
        Duration value = node.asDuration(defaultValue);
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw node.error(node.asString(value.toString()) + (zeroAllowed ? " (expected: >= 0)" : " (expected: > 0)"));
        }
        if (value.toMillis() > Integer.MAX_VALUE) {
            throw node.error(node.asString(value.toString()) + " (expected: at most 24d)");
        }
        return value;
    }

    /** Reads an int within {@code [min, max]}. */
    static int intRange(ConfigNode node, int defaultValue, int min, int max) {
        int value = node.asInt(defaultValue);
        if (value < min || value > max) {
            throw node.error(value + " (expected: " + min + "-" + max + ")");
        }
        return value;
    }

    /** Reads a byte size within {@code [min, max]}, such as {@code 16KiB}. */
    static long bytes(ConfigNode node, long defaultValue, long min, long max) {
        long value = node.asBytes(defaultValue);
        if (value < min || value > max) {
            throw node.error(value + " (expected: " + min + "-" + max + " bytes)");
        }
        return value;
    }

    /** Reads a string or a list of strings. */
    static List<String> strings(ConfigNode node) {
        if (node.isMissing()) {
            return List.of();
        }
        if (node.isScalar()) {
            return List.of(node.asString());
        }
        if (!node.isList()) {
            throw node.error(describe(node) + " (expected: a string or a list of strings)");
        }
        List<String> values = new ArrayList<>();
        for (ConfigNode element : node.elements()) {
            if (!element.isScalar()) {
                throw element.error(describe(element) + " (expected: a string)");
            }
            values.add(element.asString());
        }
        return values;
    }

    static String describe(ConfigNode node) {
        Object value = node.unwrap();
        return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    }
}
