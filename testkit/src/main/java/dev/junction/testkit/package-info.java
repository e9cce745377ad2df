/**
 * Test support for Junction plugins, used by the built-in plugins' own tests: {@link dev.junction.testkit.LeakDetection}
 * (registered automatically), {@link dev.junction.testkit.TestConfig} (configuration nodes from plain maps),
 * {@link dev.junction.testkit.TestTasks} (a task runtime) and {@link dev.junction.testkit.TestPluginContext}.
 */
package dev.junction.testkit;
