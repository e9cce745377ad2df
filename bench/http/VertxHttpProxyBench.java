import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.transport.Transport;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;

/**
 * The "vertx-http-proxy" system of bench/http.sh: a plain reverse proxy built from io.vertx:vertx-http-proxy, in
 * front of the same backend as the other systems, so that its cost can be compared with Junction's own proxy.
 *
 * <pre>
 * java -cp 'bench/http/lib/*:CLASSES' VertxHttpProxyBench LISTEN_PORT BACKEND_HOST BACKEND_PORT [INSTANCES [POOL]]
 * </pre>
 *
 * <p>One Vert.x event loop per verticle instance (default 2), native epoll when available. Each instance has its
 * own HTTP/1.1 client to the backend, keep-alive, at most POOL connections (default 64, as Junction's
 * max-connections-per-endpoint per event loop), and its own server on the shared listening port, which accepts
 * HTTP/1.1 and HTTP/2 over cleartext (prior knowledge and upgrade). Prints "ready PORT TRANSPORT" once listening.
 *
 * <p>vertx-http-proxy 5.0.7 copies the backend's {@code Connection: keep-alive} into HTTP/2 responses, where a
 * connection-specific header makes the response malformed (RFC 9113 8.2.2; curl and h2load reset the stream). An
 * interceptor removes {@code Connection} and {@code Keep-Alive} from responses to HTTP/2 requests, so that h2 can be
 * measured at all; HTTP/1.1 responses pass through it untouched.
 */
public final class VertxHttpProxyBench {

    private VertxHttpProxyBench() {
    }

    /** One proxy instance: its own client and server, on the event loop it is deployed on. */
    static final class ProxyVerticle extends VerticleBase {
        private final int listenPort;
        private final String backendHost;
        private final int backendPort;
        private final int pool;

        ProxyVerticle(int listenPort, String backendHost, int backendPort, int pool) {
            this.listenPort = listenPort;
            this.backendHost = backendHost;
            this.backendPort = backendPort;
            this.pool = pool;
        }

        @Override
        public Future<?> start() {
            HttpClient client = vertx.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                    new PoolOptions().setHttp1MaxSize(pool));
            HttpProxy proxy = HttpProxy.reverseProxy(client).origin(backendPort, backendHost)
                    .addInterceptor(new StripHopByHopOnHttp2());
            HttpServerOptions serverOptions = new HttpServerOptions()
                    .setHost("127.0.0.1")
                    .setPort(listenPort)
                    .setTcpNoDelay(true)
                    .setHttp2ClearTextEnabled(true)
                    .setAcceptBacklog(1024);
            return vertx.createHttpServer(serverOptions).requestHandler(proxy).listen();
        }
    }

    /** Removes the connection-specific response headers that HTTP/2 forbids, for HTTP/2 requests only. */
    static final class StripHopByHopOnHttp2 implements ProxyInterceptor {
        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
            if (context.request().proxiedRequest().version() == HttpVersion.HTTP_2) {
                context.response().headers().remove("connection").remove("keep-alive");
            }
            return context.sendResponse();
        }
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: VertxHttpProxyBench LISTEN_PORT BACKEND_HOST BACKEND_PORT [INSTANCES [POOL]]");
            System.exit(2);
        }
        int listenPort = Integer.parseInt(args[0]);
        String backendHost = args[1];
        int backendPort = Integer.parseInt(args[2]);
        int instances = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int pool = args.length > 4 ? Integer.parseInt(args[4]) : 64;

        Transport transport = Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setEventLoopPoolSize(instances))
                .withTransport(transport)
                .build();
        vertx.deployVerticle(() -> new ProxyVerticle(listenPort, backendHost, backendPort, pool),
                        new DeploymentOptions().setInstances(instances))
                .onSuccess(id -> System.out.println("ready " + listenPort + " " + transport.name().toLowerCase()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    }
}
