package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readers for the http plugin's configuration values (listener options, actions, the connector and filters), reporting
 * errors at the offending key in the form {@code value (expected: ...)}. Public for the plugin's filter package only.
 */
public final class Config {

    private Config() {
    }

    /** Checks that {@code node} is a mapping (an absent node counts as an empty one) with only {@code allowed} keys. */
    public static ConfigNode mapping(ConfigNode node, String... allowed) {
        if (node.isMissing()) {
            return node;
        }
        if (!node.isMap()) {
            throw node.error(describe(node) + " (expected: a mapping)");
        }
        return node.checkKeys(allowed);
    }

    /** Reads a mapping from header name to header value; names are lower-cased. */
    public static Map<String, String> headerMap(ConfigNode node) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node.isMissing()) {
            return headers;
        }
        if (!node.isMap()) {
            throw node.error(describe(node) + " (expected: a mapping from header name to value)");
        }
        for (Map.Entry<String, ConfigNode> entry : node.entries().entrySet()) {
            String name = headerName(node, entry.getKey());
            ConfigNode value = entry.getValue();
            if (!value.isScalar()) {
                throw value.error(describe(value) + " (expected: a header value)");
            }
            headers.put(name, headerValue(value, value.asString()));
        }
        return headers;
    }

    /** Reads a list of header names; names are lower-cased. A single scalar counts as a list of one. */
    public static List<String> headerNames(ConfigNode node) {
        List<String> names = new ArrayList<>();
        for (String name : strings(node)) {
            names.add(headerName(node, name));
        }
        return names;
    }

    /** Reads a list of strings; a single scalar counts as a list of one, a missing node as an empty list. */
    public static List<String> strings(ConfigNode node) {
        List<String> values = new ArrayList<>();
        if (node.isMissing()) {
            return values;
        }
        if (node.isScalar()) {
            values.add(node.asString());
            return values;
        }
        if (!node.isList()) {
            throw node.error(describe(node) + " (expected: a list of strings)");
        }
        for (ConfigNode element : node.elements()) {
            if (!element.isScalar()) {
                throw element.error(describe(element) + " (expected: a string)");
            }
            values.add(element.asString());
        }
        return values;
    }

    /** Checks a header name (an RFC 9110 token) and returns it lower-cased. */
    public static String headerName(ConfigNode node, String name) {
        if (!isToken(name)) {
            throw node.error('"' + name + "\" (expected: a header name made of letters, digits and !#$%&'*+-.^_`|~)");
        }
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /** Checks a header value: no control characters other than horizontal tab, so nothing can split a header. */
    public static String headerValue(ConfigNode node, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw node.error('"' + value + "\" (expected: a header value of visible Latin-1 characters, spaces and tabs)");
            }
        }
        return value.strip();
    }

    /** Reads an int within {@code [min, max]}. */
    public static int intRange(ConfigNode node, int defaultValue, int min, int max) {
        int value = node.asInt(defaultValue);
        if (value < min || value > max) {
            throw node.error(value + " (expected: " + min + "-" + max + ")");
        }
        return value;
    }

    /** Reads a duration that is zero or more (or more than zero unless {@code zeroAllowed}). */
    public static Duration duration(ConfigNode node, Duration defaultValue, boolean zeroAllowed) {
        Duration value = node.asDuration(defaultValue);
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw node.error(node.asString(value.toString()) + (zeroAllowed ? " (expected: >= 0)" : " (expected: > 0)"));
        }
        if (value.toMillis() > Integer.MAX_VALUE) {
            throw node.error(node.asString(value.toString()) + " (expected: at most 24d)");
        }
        return value;
    }

    /** Reads a byte size within {@code [min, max]}, such as {@code 16KiB}. */
    public static long bytes(ConfigNode node, long defaultValue, long min, long max) {
        long value = node.asBytes(defaultValue);
        if (value < min || value > max) {
            throw node.error(value + " (expected: " + min + "-" + max + " bytes)");
        }
        return value;
    }

    /** Reads an HTTP status within {@code [min, max]}. */
    public static int status(ConfigNode node, int defaultValue, int min, int max) {
        return intRange(node, defaultValue, min, max);
    }

    /** Returns whether {@code text} is a non-empty RFC 9110 token. */
    public static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static String describe(ConfigNode node) {
        Object value = node.unwrap();
        return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    }
}
