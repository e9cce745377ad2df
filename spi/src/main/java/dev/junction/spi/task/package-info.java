/** The task runtime: scopes with cancellation and deadlines, asynchronous and blocking tasks. */
package dev.junction.spi.task;
