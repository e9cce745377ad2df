/** Small network helpers shared by protocol plugins: {@link dev.junction.spi.net.IpMatcher}. */
package dev.junction.spi.net;
