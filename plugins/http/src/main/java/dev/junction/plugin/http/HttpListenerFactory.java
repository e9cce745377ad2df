package dev.junction.plugin.http;

import dev.junction.spi.listener.Listener;
import dev.junction.spi.listener.ListenerContext;
import dev.junction.spi.listener.ListenerFactory;
import dev.junction.spi.route.TrafficShape;

/** Creates {@code http} listeners. */
final class HttpListenerFactory implements ListenerFactory {

    @Override
    public String protocol() {
        return "http";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.EXCHANGE;
    }

    @Override
    public Listener create(ListenerContext context) {
        return new HttpListener(context, HttpListenerOptions.parse(context.options()));
    }
}
