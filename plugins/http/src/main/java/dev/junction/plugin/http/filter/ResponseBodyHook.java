package dev.junction.plugin.http.filter;

import dev.junction.plugin.http.DefaultHttpExchange;
import dev.junction.spi.http.HttpExchange;

/** Installs a {@link ResponseBodyTransform} on an exchange, where the listener offers a way to. */
final class ResponseBodyHook {

    private ResponseBodyHook() {
    }

    /** Returns whether {@code transform} was installed; when not, the caller must leave the response as it is. */
    static boolean install(HttpExchange exchange, ResponseBodyTransform transform) {
        if (exchange instanceof DefaultHttpExchange listenerExchange) {
            return listenerExchange.transformResponseBody(transform);
        }
        return false;
    }
}
