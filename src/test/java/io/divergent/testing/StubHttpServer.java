package io.divergent.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A protocol-level HTTP stub on a free localhost port, for unit tests of HTTP clients: it
 * records every request and answers from queued responses, falling back to a handler. Not a
 * registry: tests that need registry behaviour use {@link ApicurioRegistry}.
 */
public final class StubHttpServer implements AutoCloseable {

    /** One received request. */
    public record Request(String method, String rawPath, String rawQuery, Headers headers, String body) {
        /** The first value of a request header, or null. */
        public String header(final String name) {
            return headers.getFirst(name);
        }
    }

    /** One response to send. */
    public record Response(int status, String contentType, String body) {
        /** A JSON response in the registry media type. */
        public static Response json(final int status, final String body) {
            return new Response(status, "application/vnd.schemaregistry.v1+json", body);
        }

        /** A registry error body with {@code error_code} and {@code message}. */
        public static Response error(final int status, final int code, final String message) {
            return new Response(status, "application/json",
                    "{\"error_code\":" + code + ",\"message\":\"" + message + "\"}");
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Response> queued = new ArrayDeque<>();
    private Function<Request, Response> fallback = request -> Response.error(404, 40400, "no stub for " + request.rawPath());

    private StubHttpServer(final HttpServer server) {
        this.server = server;
    }

    /** Starts a stub on 127.0.0.1 and a free port. */
    public static StubHttpServer start() throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        final StubHttpServer stub = new StubHttpServer(server);
        server.createContext("/", stub::handle);
        server.start();
        return stub;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues responses, sent in order before the fallback handler is used. */
    public synchronized StubHttpServer enqueue(final Response... responses) {
        queued.addAll(List.of(responses));
        return this;
    }

    /** Answers every request the queue does not. */
    public synchronized StubHttpServer fallback(final Function<Request, Response> handler) {
        this.fallback = handler;
        return this;
    }

    /** Requests received so far, oldest first. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(final HttpExchange exchange) throws IOException {
        final String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
        final Response response;
        synchronized (this) {
            requests.add(request);
            response = queued.isEmpty() ? fallback.apply(request) : queued.removeFirst();
        }
        final byte[] bytes = response.body() == null ? new byte[0] : response.body().getBytes(StandardCharsets.UTF_8);
        if (response.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
        }
        exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
