/** Routes, route actions and traffic shapes. */
package dev.junction.spi.route;
