package dev.junction.example.echo;

import dev.junction.spi.ExecutionStyle;
import dev.junction.spi.PluginContext;
import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.filter.BlockingStreamFilter;
import dev.junction.spi.filter.Filter;
import dev.junction.spi.filter.FilterDecision;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.route.TrafficShape;
import java.lang.System.Logger.Level;

/**
 * Creates {@code log-connections} filters, written in blocking style: the host calls them on a virtual thread, so
 * plain blocking code (a logger writing to a slow file, a JDBC lookup, {@code Future.await()}) is fine here.
 */
final class LogConnectionsFilterFactory implements FilterFactory {

    @Override
    public String name() {
        return "log-connections";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.STREAM;
    }

    @Override
    public ExecutionStyle style() {
        return ExecutionStyle.BLOCKING; // the host refuses a BlockingStreamFilter from an ASYNC factory
    }

    @Override
    public Filter create(ConfigNode config, PluginContext plugin) {
        if (!config.isMissing()) {
            config.checkKeys(); // no options
        }
        System.Logger logger = plugin.logger();
        return new BlockingStreamFilter() {
            @Override
            public FilterDecision onConnection(StreamSession session) {
                logger.log(Level.INFO, "connection from {0} on listener {1}, route {2}",
                        session.downstream().remoteAddress(), session.listenerName(), session.routeName());
                return FilterDecision.proceed();
            }
        };
    }
}
