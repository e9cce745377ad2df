/** The stream traffic shape: duplex bytes with half-close and backpressure. */
package dev.junction.spi.stream;
