package dev.junction.plugin.http.filter;

import dev.junction.spi.filter.FilterFactory;
import java.util.List;

/** The HTTP filters this plugin provides, in the order {@code junction plugins} lists them. */
public final class HttpFilters {

    private HttpFilters() {
    }

    /** Returns a fresh factory of every HTTP filter. */
    public static List<FilterFactory> factories() {
        return List.of(
                HeaderFilters.requestFactory(),
                HeaderFilters.responseFactory(),
                RewriteFilter.factory(),
                RedirectFilter.factory(),
                DirectResponseFilter.factory(),
                CorsFilter.factory(),
                RateLimitFilter.factory(),
                BasicAuthFilter.factory(),
                JwtFilter.factory(),
                RequestSizeLimitFilter.factory(),
                IpFilter.factory(),
                CompressionFilter.factory());
    }
}
