/** Filter extension point: ordered phase hooks on a route. */
package dev.junction.spi.filter;
