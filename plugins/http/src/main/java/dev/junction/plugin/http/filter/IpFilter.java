package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.Config;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.http.HttpFilter;
import dev.junction.spi.net.IpMatcher;
import io.vertx.core.Future;

/**
 * The {@code ip-filter} filter: lets a request through by the client as the listener trusts it
 * ({@link HttpExchange#clientIp()}, which honours trusted proxies). Deny wins; an address in neither list passes
 * only when {@code allow} is empty. A refused request is answered 403.
 */
final class IpFilter implements HttpFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());

    private final IpMatcher allow;
    private final IpMatcher deny;

    IpFilter(IpMatcher allow, IpMatcher deny) {
        this.allow = allow;
        this.deny = deny;
    }

    static DefinedFilterFactory factory() {
        return DefinedFilterFactory.async("ip-filter", (config, plugin) -> create(config));
    }

    static IpFilter create(ConfigNode config) {
        Config.mapping(config, "allow", "deny");
        IpMatcher allow = IpMatcher.parse(config.get("allow"));
        IpMatcher deny = IpMatcher.parse(config.get("deny"));
        if (allow.isEmpty() && deny.isEmpty()) {
            throw config.error("no addresses (expected: at least one CIDR in allow or deny)");
        }
        return new IpFilter(allow, deny);
    }

    @Override
    public Future<FilterDecision> onRequest(HttpExchange exchange) {
        String client = exchange.clientIp();
        if (allows(client == null ? null : IpMatcher.parseLiteral(client))) {
            return PROCEED;
        }
        return LocalAnswers.answer(exchange, 403, "forbidden\n", "ip-filter: denied");
    }

    /** Returns whether an address (null when unknown) may pass. */
    boolean allows(byte[] address) {
        if (deny.contains(address)) {
            return false;
        }
        return allow.isEmpty() || allow.contains(address);
    }
}
