package dev.junction.example.echo;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.http.BlockingHttpFilter;
import dev.junction.spi.http.HttpExchange;
import dev.junction.spi.route.TrafficShape;
import java.lang.System.Logger.Level;

/**
 * Creates {@code log-requests} filters, the HTTP twin of {@code log-connections}: a {@link BlockingHttpFilter}, which
 * the host calls on a virtual thread, so blocking code (a logger writing to a slow file, a directory lookup,
 * {@code Future.await()}) is fine here. It logs each request and lets it proceed.
 */
final class LogRequestsFilterFactory implements FilterFactory {

    @Override
    public String name() {
        return "log-requests";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public ExecutionStyle style() {
        return ExecutionStyle.BLOCKING; // the host refuses a BlockingHttpFilter from an ASYNC factory
    }

    @Override
    public Filter create(ConfigNode config, PluginContext plugin) {
        if (!config.isMissing()) {
            config.checkKeys(); // no options
        }
        System.Logger logger = plugin.logger();
        return new BlockingHttpFilter() {
            @Override
            public FilterDecision onRequest(HttpExchange exchange) {
                // The normalised path holds no spaces or control characters: safe to log as it is.
                logger.log(Level.INFO, "{0} {1} from {2} on listener {3}, route {4}", exchange.request().method(),
                        exchange.path(), exchange.clientIp(), exchange.listenerName(), exchange.routeName());
                return FilterDecision.proceed();
            }
        };
    }
}
