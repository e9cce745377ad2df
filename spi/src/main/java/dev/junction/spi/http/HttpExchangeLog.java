package dev.junction.spi.http;

import dev.junction.spi.Experimental;

/**
 * What an action reports about how it served an {@link HttpExchange}, for the access log and the upstream
 * metrics. Times are {@link System#nanoTime()} values; unset values are zero or empty.
 */
@Experimental
public interface HttpExchangeLog {

    /** Records the upstream and the endpoint ({@code host:port}) that served (or failed) the request. */
    void upstream(String upstream, String endpoint);

    /** Records the time spent connecting upstream (zero for a pooled connection). */
    void connectNanos(long nanos);

    /** Records when the upstream's response head arrived. */
    void firstByteNanos(long nanos);

    /** Counts one more attempt after the first. */
    void retried();
}
