package dev.junction.spi;

/**
 * Says how the host must call a plugin component.
 *
 * <p>{@link #ASYNC} components run on a Vert.x event loop and must never block: they return
 * {@link io.vertx.core.Future}s. {@link #BLOCKING} components are always called on a virtual thread, where plain
 * blocking code and {@link io.vertx.core.Future#await()} are legal. The host decides where to call a component
 * from its declared style when the component is registered, so blocking code never lands on an event loop.
 */
public enum ExecutionStyle {
    /** Non-blocking code returning futures; runs on an event loop. */
    ASYNC,
    /** Blocking code; runs on a virtual thread, may call {@code Future.await()}. */
    BLOCKING
}
