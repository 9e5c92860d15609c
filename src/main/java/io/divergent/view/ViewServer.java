package io.divergent.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.config.DivergentConfig;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The live view's HTTP server (Javalin on Jetty): the page, its JSON API and {@code /metrics},
 * all read-only (GET only). Started before Kafka Streams, so that the port it bound is the one
 * {@code application.server} advertises; {@link #attach} then gives it the running
 * application. Until then (and while Kafka Streams restores or rebalances) the API answers 503.
 *
 * <p>Endpoints: {@code GET /} the page; {@code /api/monitors} every monitor with its series
 * and their latest state; {@code /api/series?series=<id>&limit=<n>} a series' recent events;
 * {@code /api/series/open?series=<id>} the window it is counting now against its reference;
 * {@code /metrics} Prometheus text ({@link PrometheusMetrics}). Every error is a JSON
 * {@code {"error": "..."}} with 400 (bad parameter), 404 (unknown series or path), 405 (not
 * GET), 502/503; never a stack trace.
 */
public final class ViewServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ViewServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_LIMIT = 500;

    private final Javalin javalin;
    private final DivergentConfig config;
    private volatile SeriesQueries queries;
    private volatile PrometheusMetrics metrics;

    private ViewServer(final DivergentConfig config) {
        this.config = config;
        this.javalin = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.get("/", ctx -> resource(ctx, "/divergent-view/index.html", "text/html; charset=utf-8"));
            c.routes.get("/view.js", ctx -> resource(ctx, "/divergent-view/view.js", "text/javascript; charset=utf-8"));
            c.routes.get("/view.css", ctx -> resource(ctx, "/divergent-view/view.css", "text/css; charset=utf-8"));
            c.routes.get("/uPlot.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").result(UPlot.js()));
            c.routes.get("/uPlot.css", ctx -> ctx.contentType("text/css; charset=utf-8").result(UPlot.css()));
            c.routes.get("/api/monitors", ctx -> json(ctx, queries().monitors()));
            c.routes.get("/api/local/series", ctx -> json(ctx, queries().localSeries()));
            c.routes.get("/api/series", this::series);
            c.routes.get("/api/series/open", this::open);
            c.routes.get("/metrics", ctx -> {
                ctx.contentType(PrometheusMetrics.contentType());
                ctx.result(metrics().scrape());
            });
            c.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            // A store can close under a running query when Kafka Streams rebalances: ask again later.
            c.routes.exception(InvalidStateStoreException.class, (e, ctx) ->
                    error(ctx, 503, "the store is not queryable now (rebalancing): " + e.getMessage()));
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("Live view: {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
            c.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().startsWith("{")) {
                    error(ctx, 404, "no such page: " + ctx.path());
                }
            });
            c.routes.error(405, ctx -> error(ctx, 405, "read-only: only GET is served"));
        });
    }

    /**
     * Starts the server on {@code http.port} (0 = any free port) on every interface.
     *
     * @param config the configuration; {@code http.port} must be set
     * @return the running server; {@link #port()} is the port it bound
     * @throws IllegalStateException if {@code http.port} is not set or the port cannot be bound
     */
    public static ViewServer start(final DivergentConfig config) {
        final int port = config.httpPort().orElseThrow(() -> new IllegalStateException("http.port is not set"));
        final ViewServer server = new ViewServer(config);
        try {
            server.javalin.start("0.0.0.0", port);
        } catch (final RuntimeException e) {
            throw new IllegalStateException("cannot serve the live view on http.port " + port + ": " + e.getMessage(), e);
        }
        return server;
    }

    /**
     * Gives the server the running application it answers for.
     *
     * @param streams the application, started with {@code application.server} = {@code self}
     * @param self    this instance as the others reach it
     */
    public void attach(final KafkaStreams streams, final HostInfo self) {
        final SeriesQueries q = new SeriesQueries(streams, self, config);
        this.metrics = new PrometheusMetrics(streams, q, config.metricsMaxSeries());
        this.queries = q;
    }

    /** The port the server bound. */
    public int port() {
        return javalin.port();
    }

    private SeriesQueries queries() {
        final SeriesQueries q = queries;
        if (q == null) {
            throw new ApiException(503, "Kafka Streams is starting");
        }
        return q;
    }

    private PrometheusMetrics metrics() {
        final PrometheusMetrics m = metrics;
        if (m == null) {
            throw new ApiException(503, "Kafka Streams is starting");
        }
        return m;
    }

    private void series(final Context ctx) throws IOException {
        final String series = seriesParam(ctx);
        final String limitText = ctx.queryParam("limit");
        int limit = DEFAULT_LIMIT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.strip());
            } catch (final NumberFormatException e) {
                limit = 0;
            }
            if (limit < 1) {
                throw new ApiException(400, "limit must be a whole number >= 1, got: " + limitText);
            }
        }
        json(ctx, queries().series(series, Math.min(limit, config.historyEvents()), localParam(ctx)));
    }

    private void open(final Context ctx) throws IOException {
        json(ctx, queries().open(seriesParam(ctx), localParam(ctx)));
    }

    private static String seriesParam(final Context ctx) {
        final String series = ctx.queryParam("series");
        if (series == null || series.isBlank()) {
            throw new ApiException(400, "missing query parameter: series (a series id, as in /api/monitors)");
        }
        return series;
    }

    private static boolean localParam(final Context ctx) {
        final String local = ctx.queryParam("local");
        if (local != null && !local.equals("true") && !local.equals("false")) {
            throw new ApiException(400, "local must be true or false, got: " + local);
        }
        return "true".equals(local);
    }

    private static void json(final Context ctx, final JsonNode body) throws IOException {
        ctx.contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    private static void error(final Context ctx, final int status, final String message) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(Map.of("error", message)));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void resource(final Context ctx, final String path, final String type) throws IOException {
        try (InputStream in = ViewServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new ApiException(404, "no such page: " + ctx.path());
            }
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    /** Stops serving. */
    @Override
    public void close() {
        javalin.stop();
    }
}
