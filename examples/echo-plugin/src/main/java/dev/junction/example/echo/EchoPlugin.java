package dev.junction.example.echo;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;
import dev.junction.spi.filter.FilterFactory;
import dev.junction.spi.route.ActionFactory;
import java.util.List;

/**
 * An example third-party plugin, built against {@code junction-spi} only: an {@code echo} stream action and a
 * blocking-style {@code log-connections} filter. Drop its jar into {@code plugins/echo/} and write
 * <pre>{@code
 * routes:
 *   - filters:
 *       - log-connections: {}
 *     action:
 *       echo: {greeting: "hello from example.test\n"}
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
        return "Example plugin: echo action and log-connections filter";
    }

    @Override
    public List<ActionFactory> actionFactories() {
        return List.of(new EchoActionFactory());
    }

    @Override
    public List<FilterFactory> filterFactories() {
        return List.of(new LogConnectionsFilterFactory());
    }
}
