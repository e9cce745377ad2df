package dev.junction.example.echo;

import dev.junction.spi.config.ConfigNode;
import dev.junction.spi.route.ActionFactory;
import dev.junction.spi.route.RouteAction;
import dev.junction.spi.route.StreamAction;
import dev.junction.spi.route.StreamSession;
import dev.junction.spi.route.TrafficShape;
import dev.junction.spi.stream.DuplexStream;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** Creates {@code echo} actions: {@code echo: {greeting: "hello\n"}}, the greeting being optional. */
final class EchoActionFactory implements ActionFactory {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public TrafficShape shape() {
        return TrafficShape.STREAM;
    }

    @Override
    public RouteAction create(ActionContext context) {
        ConfigNode config = context.config();
        if (!config.isMissing()) {
            config.checkKeys("greeting"); // unknown keys fail with a "did you mean" suggestion
        }
        String greeting = config.get("greeting").asString("");
        return new EchoAction(greeting);
    }

    /** Writes the greeting, then sends every byte back until the client half-closes. */
    private record EchoAction(String greeting) implements StreamAction {

        @Override
        public Future<Void> handle(StreamSession session) {
            DuplexStream downstream = session.downstream();
            Future<Void> greeted = greeting.isEmpty()
                    ? Future.succeededFuture()
                    : downstream.write(Buffer.buffer(greeting)); // a fresh buffer: write() takes ownership
            // pipeTo pauses reading while the write queue is full: backpressure without buffering.
            // The client's FIN ends the pipe, which half-closes our side after the last echoed byte.
            return greeted
                    .compose(v -> downstream.pipeTo(downstream))
                    .eventually(downstream::close);
        }

        @Override
        public String describe() {
            return greeting.isEmpty() ? "echo" : "echo with greeting";
        }
    }
}
