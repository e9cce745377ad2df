package dev.junction.internal.metrics;

import dev.junction.internal.plugin.PluginRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The gateway's meter registry, rendered in the Prometheus text format on the admin API's {@code /metrics}. */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Creates the registry with JVM and process meters. */
    public GatewayMetrics() {
        // Micrometer's default pause detector makes every timer record read the clock and update an interval
        // estimator that all event loops share; its correction for coordinated omission is not worth that cost on
        // the request path.
        registry.config().pauseDetector(new NoPauseDetector());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        String version = GatewayMetrics.class.getPackage().getImplementationVersion();
        Gauge.builder("junction.build.info", () -> 1).tag("version", version == null ? "dev" : version)
                .description("Junction build information").register(registry);
    }

    /** Adds a gauge per loaded plugin. */
    public void bindPlugins(PluginRegistry plugins) {
        for (var plugin : plugins.plugins()) {
            Gauge.builder("junction.plugin.info", () -> 1).tag("plugin", plugin.name())
                    .tag("version", plugin.plugin().version()).description("Loaded plugins").register(registry);
        }
    }

    /** Returns the registry plugins and the core register meters in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Renders every meter in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }
}
