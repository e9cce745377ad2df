/** Upstreams owned by the core, and the connector and discovery extension points. */
package dev.junction.spi.upstream;
