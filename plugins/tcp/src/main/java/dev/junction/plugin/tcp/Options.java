package dev.junction.plugin.tcp;

import dev.junction.spi.config.ConfigNode;
import java.time.Duration;

/** Validation helpers shared by the plugin's option parsers; every error names the offending key. */
final class Options {

    private Options() {
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

    /** Reads a duration that must fit in an int of milliseconds; zero allowed only when {@code zeroAllowed}. */
    static Duration duration(ConfigNode node, Duration defaultValue, boolean zeroAllowed) {
        Duration value = node.asDuration(defaultValue);
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw node.error(format(value) + (zeroAllowed ? " (expected: >= 0)" : " (expected: > 0)"));
        }
        if (value.toMillis() > Integer.MAX_VALUE) {
            throw node.error(format(value) + " (expected: at most 24d)");
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

    /** Formats a duration the way configuration writes it: {@code 250ms}, {@code 5s}, {@code 10m}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    private static String describe(ConfigNode node) {
        Object value = node.unwrap();
        return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    }
}
