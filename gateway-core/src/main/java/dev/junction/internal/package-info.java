/**
 * Junction's implementation. Anything in this package and its sub-packages may change or disappear in any release;
 * plugins use {@code dev.junction.spi}, operators and embedders use {@code dev.junction}.
 */
package dev.junction.internal;
