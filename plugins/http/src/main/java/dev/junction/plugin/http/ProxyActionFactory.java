package dev.junction.plugin.http;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.upstream.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Creates {@code proxy} actions for HTTP routes. */
final class ProxyActionFactory implements ActionFactory {

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public RouteAction create(ActionContext context) {
        ConfigNode config = Config.mapping(context.config(), "upstream", "split", "host", "timeouts", "retries",
                "hash-key");
        List<ProxyAction.Target> targets = targets(context, config);
        ConfigNode hostNode = config.get("host");
        String host = hostNode.asString("preserve");
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || c == '/' || c == '@')) {
            throw hostNode.error('"' + host + "\" (expected: preserve, endpoint or a host name)");
        }
        ConfigNode timeouts = Config.mapping(config.get("timeouts"), "first-byte", "request", "idle");
        ConfigNode retries = Config.mapping(config.get("retries"), "attempts", "on", "budget", "min-concurrent");
        return new ProxyAction(targets, host,
                Config.duration(timeouts.get("first-byte"), Duration.ofSeconds(30), true),
                Config.duration(timeouts.get("request"), Duration.ZERO, true),
                Config.duration(timeouts.get("idle"), Duration.ofSeconds(60), true),
                Config.intRange(retries.get("attempts"), 2, 1, 10),
                retryOn(retries.get("on")),
                budget(retries.get("budget")),
                Config.intRange(retries.get("min-concurrent"), 3, 0, 1_000_000),
                hashKey(config.get("hash-key")));
    }

    private static List<ProxyAction.Target> targets(ActionContext context, ConfigNode config) {
        ConfigNode upstreamNode = config.get("upstream");
        ConfigNode split = config.get("split");
        if (upstreamNode.isMissing() == split.isMissing()) {
            throw config.error("(expected: either upstream or split)");
        }
        List<ProxyAction.Target> targets = new ArrayList<>();
        if (!upstreamNode.isMissing()) {
            targets.add(target(context, upstreamNode, 1));
            return targets;
        }
        if (!split.isList() || split.elements().isEmpty()) {
            throw split.error(Config.describe(split)
                    + " (expected: a list such as [{upstream: app, weight: 90}, {upstream: canary, weight: 10}])");
        }
        for (ConfigNode element : split.elements()) {
            Config.mapping(element, "upstream", "weight");
            if (element.get("upstream").isMissing()) {
                throw element.error("upstream is missing (expected: {upstream: <name>, weight: <1-1000000>})");
            }
            targets.add(target(context, element.get("upstream"),
                    Config.intRange(element.get("weight"), 1, 0, 1_000_000)));
        }
        if (targets.stream().mapToInt(ProxyAction.Target::weight).sum() == 0) {
            throw split.error("every weight is 0 (expected: at least one positive weight)");
        }
        return targets;
    }

    private static ProxyAction.Target target(ActionContext context, ConfigNode node, int weight) {
        Upstream upstream = context.upstream(node);
        if (!(upstream.connector() instanceof HttpConnector connector)) {
            throw node.error("upstream '" + upstream.name() + "' has protocol " + upstream.protocol()
                    + " (expected: protocol http for an http proxy)");
        }
        return new ProxyAction.Target(upstream, connector, weight);
    }

    private static ProxyAction.RetryOn retryOn(ConfigNode node) {
        if (node.isMissing()) {
            return new ProxyAction.RetryOn(true, true, false, Set.of(502, 503, 504));
        }
        boolean connect = false;
        boolean reset = false;
        boolean timeout = false;
        Set<Integer> statuses = new HashSet<>();
        for (String value : Config.strings(node)) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "connect-failure" -> connect = true;
                case "reset" -> reset = true;
                case "timeout" -> timeout = true;
                default -> {
                    try {
                        int status = Integer.parseInt(value);
                        if (status < 500 || status > 599) {
                            throw new NumberFormatException();
                        }
                        statuses.add(status);
                    } catch (NumberFormatException e) {
                        throw node.error('"' + value + "\" (expected: connect-failure, reset, timeout or a 5xx status)");
                    }
                }
            }
        }
        return new ProxyAction.RetryOn(connect, reset, timeout, Set.copyOf(statuses));
    }

    private static double budget(ConfigNode node) {
        String text = node.asString("20%").trim();
        try {
            double value = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1)) / 100
                    : Double.parseDouble(text);
            if (value < 0 || value > 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw node.error('"' + text + "\" (expected: a share of requests in flight such as 20%)");
        }
    }

    private static ProxyAction.HashKey hashKey(ConfigNode node) {
        String text = node.asString("none");
        if (text.equals("none")) {
            return ProxyAction.HashKey.NONE;
        }
        if (text.equals("client-address")) {
            return new ProxyAction.HashKey(ProxyAction.HashKey.Kind.CLIENT_ADDRESS, "");
        }
        if (text.equals("path")) {
            return new ProxyAction.HashKey(ProxyAction.HashKey.Kind.PATH, "");
        }
        if (text.startsWith("header:") && text.length() > 7) {
            return new ProxyAction.HashKey(ProxyAction.HashKey.Kind.HEADER, text.substring(7));
        }
        if (text.startsWith("cookie:") && text.length() > 7) {
            return new ProxyAction.HashKey(ProxyAction.HashKey.Kind.COOKIE, text.substring(7));
        }
        throw node.error('"' + text + "\" (expected: none, client-address, path, header:<name> or cookie:<name>)");
    }
}
