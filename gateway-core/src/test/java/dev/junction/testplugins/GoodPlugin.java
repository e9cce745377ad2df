package dev.junction.testplugins;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;

/** A well-formed plugin packaged into a jar by the plugin scanner tests. */
public final class GoodPlugin implements Plugin {
    @Override
    public String name() {
        return "good";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }
}
