package dev.junction.spi.http;

import dev.junction.spi.Experimental;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.route.TrafficShape;

/**
 * The blocking-style twin of {@link HttpFilter}'s request phase: always called on a virtual thread, so it may do
 * blocking I/O (look up a user database, call an authorisation service) or call {@code Future.await()}. It may read
 * the exchange and change request headers; answering locally goes through {@link HttpExchange#respond}, whose
 * future it may await. Created by a factory whose style is {@link dev.junction.spi.ExecutionStyle#BLOCKING}.
 */
@Experimental
public interface BlockingHttpFilter extends Filter {

    /** Runs after the route matched and before the action. */
    default FilterDecision onRequest(HttpExchange exchange) {
        return FilterDecision.proceed();
    }

    @Override
    default TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }
}
