package dev.junction.example.echo;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.route.ActionFactory;
import java.util.List;

/**
 * An example third-party plugin, built against {@code junction-spi} only. For stream listeners: an {@code echo}
 * action and a blocking-style {@code log-connections} filter. For HTTP listeners, through
 * {@code dev.junction.spi.http}: an {@code upper-echo} action, an asynchronous {@code stamp} filter and a
 * blocking-style {@code log-requests} filter. Drop its jar into {@code plugins/echo/} and write
 * <pre>{@code
 * routes:                      # on a tcp listener
 *   - filters:
 *       - log-connections: {}
 *     action:
 *       echo: {greeting: "hello from example.test\n"}
 *
 * routes:                      # on an http listener
 *   - filters:
 *       - log-requests: {}
 *       - stamp: {value: gw1.example.test}
 *     action:
 *       upper-echo: {}
 * }</pre>
 */
public final class EchoPlugin implements Plugin {

    /** Creates the plugin; constructors of plugins must have no side effects. */
    public EchoPlugin() {
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT; // inlined at compile time: the SPI version this jar was built against
    }

    @Override
    public String description() {
        return "Example plugin: echo and upper-echo actions, log-connections, stamp and log-requests filters";
    }

    @Override
    public List<ActionFactory> actionFactories() {
        return List.of(new EchoActionFactory(), new UpperEchoActionFactory());
    }

    @Override
    public List<FilterFactory> filterFactories() {
        return List.of(new LogConnectionsFilterFactory(), new StampFilterFactory(), new LogRequestsFilterFactory());
    }
}
