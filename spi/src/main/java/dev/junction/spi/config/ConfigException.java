package dev.junction.spi.config;

import java.util.Objects;

/**
 * A configuration error that names the file, line, column and key path of the offending value.
 *
 * <p>{@link #getMessage()} reads {@code junction.yaml:12:7: listeners.tcp-in.idle-timeout: "5 min" (expected: a
 * duration such as 250ms, 5s, 10m, 1h)}. Create one with {@link ConfigNode#error(String)} so location and path are
 * filled in.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ConfigLocation location;
    private final String path;
    private final String detail;

    /** Creates an error for the value at {@code path}, written at {@code location}. */
    public ConfigException(ConfigLocation location, String path, String detail) {
        super(format(location, path, detail));
        this.location = Objects.requireNonNull(location, "location");
        this.path = Objects.requireNonNull(path, "path");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    private static String format(ConfigLocation location, String path, String detail) {
        return location + ": " + (path.isEmpty() ? "" : path + ": ") + detail;
    }

    /** Returns where the offending value was written. */
    public ConfigLocation location() {
        return location;
    }

    /** Returns the dotted key path of the offending value, such as {@code upstreams.app.endpoints[1]}. */
    public String path() {
        return path;
    }

    /** Returns the message without location and path. */
    public String detail() {
        return detail;
    }
}
