package dev.junction.testplugins;

import dev.junction.spi.Plugin;

/** A plugin built for an SPI major version this host does not offer. */
public final class FuturePlugin implements Plugin {
    @Override
    public String name() {
        return "future";
    }

    @Override
    public String spiVersion() {
        return "2.0";
    }
}
