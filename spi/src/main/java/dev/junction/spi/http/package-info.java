/**
 * HTTP extension points: what an HTTP listener hands to route actions and filters.
 *
 * <p>Starting points: {@link dev.junction.spi.http.HttpExchange} (one request being routed),
 * {@link dev.junction.spi.http.HttpAction} (what ends a route: proxy, respond, a WebSocket upgrade, DNS over HTTPS)
 * and {@link dev.junction.spi.http.HttpFilter} (request and response phases). Plugins other than the HTTP plugin
 * serve requests on HTTP listeners through these types alone.
 */
@Experimental
package dev.junction.spi.http;

import dev.junction.spi.Experimental;
