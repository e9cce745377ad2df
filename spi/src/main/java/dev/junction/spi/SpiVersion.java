package dev.junction.spi;

/**
 * Declares the version of the SPI a plugin was compiled against.
 *
 * <p>{@link #CURRENT} is a compile-time constant, so a plugin that returns it from {@link Plugin#spiVersion()}
 * carries the version it was built with, not the version of the host that loads it. The host accepts a plugin
 * whose major version equals its own and whose minor version is not newer than its own.
 */
public final class SpiVersion {

    /** The SPI version of this build: {@code major.minor}. */
    public static final String CURRENT = "1.0";

    private SpiVersion() {
    }

    /**
     * Returns whether a plugin built against {@code pluginVersion} can run on a host offering {@code hostVersion}.
     *
     * @throws IllegalArgumentException if either version is not of the form {@code major.minor}
     */
    public static boolean isCompatible(String hostVersion, String pluginVersion) {
        int[] host = parse(hostVersion);
        int[] plugin = parse(pluginVersion);
        return host[0] == plugin[0] && plugin[1] <= host[1];
    }

    static int[] parse(String version) {
        String[] parts = version == null ? new String[0] : version.split("\\.");
        if (parts.length != 2) {
            throw new IllegalArgumentException("spi version: " + version + " (expected: major.minor, such as 1.0)");
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("spi version: " + version + " (expected: major.minor, such as 1.0)", e);
        }
    }
}
