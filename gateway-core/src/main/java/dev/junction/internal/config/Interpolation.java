package dev.junction.internal.config;

import dev.junction.spi.config.ConfigException;
import dev.junction.spi.config.ConfigLocation;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces <code>${NAME}</code> and <code>${NAME:-fallback}</code> in a scalar value by environment variables;
 * <code>$${</code> writes a literal <code>${</code>. References do not nest: the first closing brace ends one.
 */
final class Interpolation {

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String EXPECTED = "expected: ${NAME} or ${NAME:-fallback}; write $${ for a literal ${";

    /** The interpolated value, and whether any part of it was read from the environment (so it may be secret). */
    record Result(String value, boolean fromEnvironment) {
    }

    private Interpolation() {
    }

    static Result apply(String text, Map<String, String> environment, ConfigLocation location, String path) {
        if (text.indexOf('$') < 0) {
            return new Result(text, false);
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean fromEnvironment = false;
        int index = 0;
        while (index < text.length()) {
            if (text.startsWith("$${", index)) {
                out.append("${");
                index += 3;
            } else if (text.startsWith("${", index)) {
                int close = text.indexOf('}', index + 2);
                if (close < 0) {
                    throw new ConfigException(location, path, "unterminated \"${\" in " + Scalars.quote(text)
                            + " (" + EXPECTED + ")");
                }
                String reference = text.substring(index + 2, close);
                int separator = reference.indexOf(":-");
                String name = separator < 0 ? reference : reference.substring(0, separator);
                if (!VARIABLE_NAME.matcher(name).matches()) {
                    throw new ConfigException(location, path, "invalid variable reference "
                            + Scalars.quote("${" + reference + "}") + " (" + EXPECTED + ")");
                }
                String value = environment.get(name);
                if (separator < 0) {
                    if (value == null) {
                        throw new ConfigException(location, path, "environment variable '" + name
                                + "' is not set (write ${" + name + ":-fallback} to give a default)");
                    }
                    out.append(value);
                    fromEnvironment = true;
                } else if (value == null || value.isEmpty()) {
                    out.append(reference, separator + 2, reference.length());
                } else {
                    out.append(value);
                    fromEnvironment = true;
                }
                index = close + 1;
            } else {
                out.append(text.charAt(index));
                index++;
            }
        }
        return new Result(out.toString(), fromEnvironment);
    }
}
