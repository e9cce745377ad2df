package dev.junction.internal.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the textual forms of scalar values the configuration reference documents. */
final class Scalars {

    /** The YAML 1.2 core schema type a scalar resolved to; anything else (tagged or quoted) is a string. */
    enum Type { STRING, INTEGER, FLOAT, BOOLEAN }

    private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h|d)");
    private static final Pattern BYTES = Pattern.compile("([0-9]+)(KiB|MiB|GiB|KB|MB|GB)?");

    private Scalars() {
    }

    /**
     * Returns the integer {@code text} denotes: the core schema forms ({@code 12}, {@code -3}, {@code 0x1F},
     * {@code 0o17}) for an integer scalar, decimal digits only for a string such as a quoted {@code "8080"}.
     */
    static Optional<BigInteger> integer(String text, Type type) {
        if (type == Type.STRING || type == Type.INTEGER) {
            if (DECIMAL.matcher(text).matches()) {
                return Optional.of(new BigInteger(text.startsWith("+") ? text.substring(1) : text));
            }
            if (type == Type.INTEGER && text.length() > 2 && text.charAt(0) == '0') {
                int radix = text.charAt(1) == 'x' ? 16 : text.charAt(1) == 'o' ? 8 : 0;
                if (radix != 0) {
                    try {
                        return Optional.of(new BigInteger(text.substring(2), radix));
                    } catch (NumberFormatException notThatRadix) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Returns the duration {@code text} denotes ({@code 250ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 2d}, {@code 0}). */
    static Optional<Duration> duration(String text) {
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            long amount = Long.parseLong(matcher.group(1));
            return Optional.of(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            return Optional.empty();
        }
    }

    /** Returns the byte count {@code text} denotes ({@code 512}, {@code 64KiB}, {@code 16MB}); empty on overflow. */
    static Optional<Long> bytes(String text) {
        Matcher matcher = BYTES.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String unit = matcher.group(2) == null ? "" : matcher.group(2);
        long multiplier = switch (unit) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            default -> 1L;
        };
        try {
            return Optional.of(Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier));
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            return Optional.empty();
        }
    }

    /** Returns a core schema float ({@code 1.5}, {@code 1e3}, {@code .inf}, {@code -.Inf}, {@code .nan}) as a double. */
    static double floatingPoint(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** Returns {@code text} in double quotes, escaped so that control characters stay visible on one line. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int index = 0; index < text.length(); index++) {
            char character = text.charAt(index);
            switch (character) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (character < 0x20) {
                        out.append(String.format("\\u%04x", (int) character));
                    } else {
                        out.append(character);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
