package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code rate-limit} filter: a local token bucket per key (the client address, a request header, or one for
 * the whole route). A request that finds its bucket empty is answered 429 with {@code Retry-After}.
 */
final class RateLimitFilter implements HttpFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*(s|m|h)");

    private final TokenBuckets buckets;
    private final Function<HttpExchange, String> key;
    private final MeterRegistry registry;

    RateLimitFilter(TokenBuckets buckets, Function<HttpExchange, String> key, MeterRegistry registry) {
        this.buckets = buckets;
        this.key = key;
        this.registry = registry;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("rate-limit", RateLimitFilter::create);
    }

    static RateLimitFilter create(ConfigNode config, PluginContext plugin) {
        Config.mapping(config, "requests-per-second", "rate", "burst", "key", "max-keys");
        double perSecond = rate(config);
        int defaultBurst = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(perSecond)));
        int burst = Config.intRange(config.get("burst"), defaultBurst, 1, Integer.MAX_VALUE);
        int maxKeys = Config.intRange(config.get("max-keys"), 100_000, 1, 10_000_000);
        ConfigNode keyNode = config.get("key");
        String keyText = keyNode.asString("client-address");
        Function<HttpExchange, String> key;
        if (keyText.equals("client-address")) {
            key = HttpExchange::clientIp;
        } else if (keyText.equals("route")) {
            key = exchange -> "";
        } else if (keyText.startsWith("header:")) {
            String header = Config.headerName(keyNode, keyText.substring("header:".length()));
            key = exchange -> {
                String value = exchange.request().getHeader(header);
                return value == null ? "" : value;
            };
        } else {
            throw keyNode.error('"' + keyText + "\" (expected: client-address, header:<name> or route)");
        }
        return new RateLimitFilter(new TokenBuckets(perSecond, burst, maxKeys), key, plugin.meterRegistry());
    }

    private static double rate(ConfigNode config) {
        ConfigNode perSecondNode = config.get("requests-per-second");
        ConfigNode rateNode = config.get("rate");
        if (perSecondNode.isMissing() == rateNode.isMissing()) {
            throw config.error(perSecondNode.isMissing()
                    ? "no rate (expected: requests-per-second: 100, or rate: 100/s, 600/m or 1000/h)"
                    : "both requests-per-second and rate (expected: one of them)");
        }
        if (!perSecondNode.isMissing()) {
            String text = perSecondNode.asString();
            try {
                double value = Double.parseDouble(text);
                if (value > 0 && value <= 1e9) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw perSecondNode.error(text + " (expected: a number of requests per second > 0)");
        }
        String text = rateNode.asString().trim().toLowerCase(Locale.ROOT);
        Matcher matcher = RATE.matcher(text);
        double count = matcher.matches() ? Double.parseDouble(matcher.group(1)) : 0;
        if (count <= 0 || count > 1e9) {
            throw rateNode.error('"' + rateNode.asString() + "\" (expected: requests per unit such as 100/s, 600/m "
                    + "or 1000/h)");
        }
        return switch (matcher.group(2)) {
            case "s" -> count;
            case "m" -> count / 60;
            default -> count / 3600;
        };
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        String bucketKey = key.apply(exchange);
        long wait = buckets.take(bucketKey == null ? "" : bucketKey, System.nanoTime());
        if (wait == 0) {
            return PROCEED;
        }
        Counter.builder("junction.http.rate.limited")
                .description("Requests answered 429 by a rate-limit filter")
                .tag("listener", exchange.listenerName())
                .tag("route", exchange.routeName())
                .register(registry)
                .increment();
        long seconds = Math.max(1, (wait + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        exchange.response().headers().set("retry-after", Long.toString(seconds));
        return LocalAnswers.answer(exchange, 429, "too many requests\n", "rate-limit: limited");
    }
}
