package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The options of an {@code http} connector, validated at creation. */
record HttpConnectorOptions(
        boolean http2,
        Duration connectTimeout,
        int maxConnectionsPerEndpoint,
        Duration keepAliveTimeout,
        String healthPath,
        int[][] healthStatuses,
        String healthHost) {

    static HttpConnectorOptions parse(ConfigNode options) {
        Config.mapping(options, "version", "connect-timeout", "max-connections-per-endpoint", "keep-alive-timeout",
                "health-check");
        ConfigNode version = options.get("version");
        String versionName = version.asString("http/1.1");
        boolean http2 = switch (versionName) {
            case "http/1.1" -> false;
            case "h2c" -> true;
            default -> throw version.error('"' + versionName + "\" (expected: http/1.1 or h2c)");
        };
        ConfigNode health = Config.mapping(options.get("health-check"), "path", "expected-statuses", "host");
        String path = health.get("path").asString("/");
        if (!path.startsWith("/")) {
            throw health.get("path").error('"' + path + "\" (expected: a path starting with /)");
        }
        return new HttpConnectorOptions(
                http2,
                Config.duration(options.get("connect-timeout"), Duration.ofSeconds(5), false),
                Config.intRange(options.get("max-connections-per-endpoint"), 64, 1, 100_000),
                Config.duration(options.get("keep-alive-timeout"), Duration.ofSeconds(60), false),
                path,
                statuses(health.get("expected-statuses")),
                health.get("host").asString(""));
    }

    /** Parses {@code [200, 204, 300-399]} into inclusive ranges. */
    private static int[][] statuses(ConfigNode node) {
        if (node.isMissing()) {
            return new int[][] {{200, 399}};
        }
        List<int[]> ranges = new ArrayList<>();
        for (String text : Config.strings(node)) {
            String[] parts = text.trim().split("-", -1);
            try {
                int low = Integer.parseInt(parts[0].trim());
                int high = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : low;
                if (parts.length > 2 || low < 100 || high > 599 || low > high) {
                    throw new NumberFormatException();
                }
                ranges.add(new int[] {low, high});
            } catch (NumberFormatException e) {
                throw node.error('"' + text + "\" (expected: a status such as 200 or a range such as 200-399)");
            }
        }
        if (ranges.isEmpty()) {
            throw node.error("[] (expected: at least one status)");
        }
        return ranges.toArray(new int[0][]);
    }

    boolean healthy(int status) {
        for (int[] range : healthStatuses) {
            if (status >= range[0] && status <= range[1]) {
                return true;
            }
        }
        return false;
    }
}
