/** Configuration access for plugins: values that know their key path and file location. */
package dev.junction.spi.config;
