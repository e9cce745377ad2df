package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.net.IpMatcher;
import java.time.Duration;

/**
 * The options of an {@code http} listener, validated at creation.
 *
 * @param accessLog {@code off}, {@code stdout} or a file path
 * @param fastPath whether plain HTTP/1.1 requests to routes that only proxy go through {@link Http1Lane}
 */
record HttpListenerOptions(
        Duration idleTimeout,
        Duration requestHeaderTimeout,
        int maxUriLength,
        int maxHeaderSize,
        int maxHeaders,
        long maxBodySize,
        boolean h2c,
        int maxConcurrentStreams,
        IpMatcher trustedProxies,
        String via,
        String accessLog,
        int acceptBacklog,
        boolean fastPath) {

    static HttpListenerOptions parse(ConfigNode options) {
        Config.mapping(options, "idle-timeout", "request-header-timeout", "max-uri-length", "max-header-size",
                "max-headers", "max-body-size", "h2c", "max-concurrent-streams", "trusted-proxies", "via",
                "access-log", "accept-backlog", "fast-path");
        String via = options.get("via").asString("junction");
        if (via.isEmpty() || !via.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ',' && c != '(' && c != ')')) {
            throw options.get("via").error('"' + via + "\" (expected: a token such as junction)");
        }
        String accessLog = options.get("access-log").asString("off");
        if (accessLog.isBlank()) {
            throw options.get("access-log").error("\"\" (expected: off, stdout or a file path)");
        }
        return new HttpListenerOptions(
                Config.duration(options.get("idle-timeout"), Duration.ofSeconds(60), true),
                Config.duration(options.get("request-header-timeout"), Duration.ofSeconds(10), true),
                (int) Config.bytes(options.get("max-uri-length"), 8192, 64, 1 << 20),
                (int) Config.bytes(options.get("max-header-size"), 16384, 1024, 1 << 20),
                Config.intRange(options.get("max-headers"), 100, 1, 10_000),
                Config.bytes(options.get("max-body-size"), 0, 0, Long.MAX_VALUE),
                options.get("h2c").asBoolean(true),
                Config.intRange(options.get("max-concurrent-streams"), 256, 1, 1 << 20),
                IpMatcher.parse(options.get("trusted-proxies")),
                via,
                accessLog,
                Config.intRange(options.get("accept-backlog"), 1024, 1, 65535),
                options.get("fast-path").asBoolean(true));
    }
}
