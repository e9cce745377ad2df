package dev.junction.testplugins;

import dev.junction.spi.Plugin;
import dev.junction.spi.SpiVersion;

/** A second plugin claiming the name {@code good}. */
public final class ImpostorPlugin implements Plugin {
    @Override
    public String name() {
        return "good";
    }

    @Override
    public String spiVersion() {
        return SpiVersion.CURRENT;
    }
}
