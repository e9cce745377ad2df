package dev.junction.spi.config;

import java.util.Objects;

/**
 * Where a configuration value was written: file, 1-based line and column.
 *
 * @param file the file name as given to the gateway, or {@code "<unknown>"}
 * @param line the 1-based line, or 0 when unknown
 * @param column the 1-based column, or 0 when unknown
 */
public record ConfigLocation(String file, int line, int column) {

    /** A location for values that did not come from a file. */
    public static final ConfigLocation UNKNOWN = new ConfigLocation("<unknown>", 0, 0);

    /** Creates a location. */
    public ConfigLocation {
        Objects.requireNonNull(file, "file");
    }

    /** Returns {@code file:line:column}, or just the file when the position is unknown. */
    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }
}
