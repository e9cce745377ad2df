package dev.junction.plugin.tcp;

import dev.junction.spi.net.IpMatcher;

import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.StreamFilter;
import dev.junction.spi.route.StreamSession;
import io.vertx.core.Future;

/** Lets a connection through by its client address; the decision's reason stays bounded (no address in it). */
final class IpFilter implements StreamFilter {

    private static final Future<FilterDecision> PROCEED = Future.succeededFuture(FilterDecision.proceed());
    private static final Future<FilterDecision> DENIED = Future.succeededFuture(FilterDecision.stop("ip-filter: denied"));
    private static final Future<FilterDecision> NOT_ALLOWED =
            Future.succeededFuture(FilterDecision.stop("ip-filter: not allowed"));

    private final IpMatcher allow;
    private final IpMatcher deny;

    IpFilter(IpMatcher allow, IpMatcher deny) {
        this.allow = allow;
        this.deny = deny;
    }

    @Override
    public Future<FilterDecision> onConnection(StreamSession session) {
        return decide(IpMatcher.addressBytes(session.downstream().remoteAddress()));
    }

    Future<FilterDecision> decide(byte[] address) {
        if (deny.contains(address)) {
            return DENIED;
        }
        if (allow.isEmpty() || allow.contains(address)) {
            return PROCEED;
        }
        return NOT_ALLOWED;
    }
}
