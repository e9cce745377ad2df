/** Listener extension point: protocols served on a bound address. */
package dev.junction.spi.listener;
