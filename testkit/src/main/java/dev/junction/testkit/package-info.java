/** Test support for Junction and its plugins. */
package dev.junction.testkit;
