package io.divergent.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replay report ({@code divergent replay --report report.html}): the live view's page as one
 * self-contained HTML file, which opens with no network and no server. uPlot (from its webjar),
 * the page's stylesheet and script are inlined, and the data is embedded as
 * {@code window.DIVERGENT_DATA = {monitors: <as /api/monitors>, series: {<id>: <as /api/series>}}},
 * which the page's script reads instead of polling the API.
 *
 * <p>Per series: every emitted event (one per window, the last emitted if a window was emitted
 * twice), oldest first; its state at the end of the replay ({@link AlertStates}: in alert when the
 * last alert event of one of its rules (kind and measure) is FIRING); and, beyond what the API
 * gives, {@code alert_events}: all its alert events in emission order, from which the page marks
 * the alert episodes (FIRING until RESOLVED).
 */
public final class ReplayReport {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CLOSING_SCRIPT = Pattern.compile("</(script)", Pattern.CASE_INSENSITIVE);

    private ReplayReport() {
    }

    /**
     * The report's data, in the shapes the page reads.
     *
     * @param config the replayed configuration (its monitors give the thresholds)
     * @param events the emitted divergence events as JSON, in emission order ({@code Replayer.Result#events})
     * @param alerts the emitted alert events as JSON, in emission order ({@code Replayer.Result#alerts})
     * @return {@code {"monitors": {...}, "series": {...}}}
     */
    public static ObjectNode data(final DivergentConfig config, final List<ObjectNode> events, final List<ObjectNode> alerts) {
        final Map<String, MonitorConfig> monitors = new LinkedHashMap<>();
        config.monitors().forEach(m -> monitors.put(m.name(), m));
        // Per series, per window start: the last emitted event of that window.
        final Map<String, TreeMap<Long, ObjectNode>> windows = new TreeMap<>();
        for (final ObjectNode event : events) {
            windows.computeIfAbsent(event.get("series_id").asText(), s -> new TreeMap<>())
                    .put(event.get("window_start").asLong(), event);
        }
        final Map<String, List<ObjectNode>> alertsBySeries = new TreeMap<>();
        for (final ObjectNode alert : alerts) {
            alertsBySeries.computeIfAbsent(alert.get("series_id").asText(), s -> new ArrayList<>()).add(alert);
        }
        final ObjectNode series = NODES.objectNode();
        final List<ObjectNode> rows = new ArrayList<>();
        windows.forEach((id, byWindow) -> {
            final ObjectNode latest = byWindow.lastEntry().getValue();
            final MonitorConfig monitor = monitors.get(latest.get("monitor").asText());
            final List<ObjectNode> seriesAlerts = alertsBySeries.getOrDefault(id, List.of());
            final ObjectNode firing = firing(seriesAlerts);
            final String state = AlertStates.of(firing != null, latest.path("has_reference").asBoolean(false));
            final ObjectNode one = NODES.objectNode();
            one.put("series_id", id);
            SeriesQueries.describe(monitor, one);
            one.put("state", state);
            one.set("alert", firing == null ? NODES.nullNode() : firing);
            final ArrayNode list = one.putArray("events");
            byWindow.values().forEach(list::add);
            final ArrayNode alertList = one.putArray("alert_events");
            seriesAlerts.forEach(alertList::add);
            series.set(id, one);

            final ObjectNode row = NODES.objectNode();
            row.put("series_id", id);
            row.put("monitor", monitor.name());
            row.set("segments", latest.path("segments").isMissingNode() ? NODES.objectNode() : latest.get("segments"));
            row.put("state", state);
            row.set("latest", latest);
            row.set("alert", firing == null ? NODES.nullNode() : firing);
            rows.add(row);
        });
        final ObjectNode overview = NODES.objectNode();
        final ArrayNode list = overview.putArray("monitors");
        for (final MonitorConfig monitor : monitors.values()) {
            final ObjectNode m = list.addObject();
            SeriesQueries.describe(monitor, m);
            final ArrayNode ms = m.putArray("series");
            rows.stream().filter(r -> r.get("monitor").asText().equals(monitor.name()))
                    .sorted(Comparator.comparing(r -> r.get("series_id").asText())).forEach(ms::add);
        }
        final ObjectNode data = NODES.objectNode();
        data.set("monitors", overview);
        data.set("series", series);
        return data;
    }

    /**
     * The report as one HTML document.
     *
     * @param config the replayed configuration
     * @param events the emitted divergence events as JSON, in emission order
     * @param alerts the emitted alert events as JSON, in emission order
     * @return the HTML text; it references no file and no URL
     */
    public static String html(final DivergentConfig config, final List<ObjectNode> events, final List<ObjectNode> alerts) {
        final String page = resource("index.html");
        final String data;
        try {
            // '<' only occurs inside JSON strings, where \u003c means the same: nothing can close the script.
            data = JSON.writeValueAsString(data(config, events, alerts)).replace("<", "\\u003c");
        } catch (final JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return replaceOnce(replaceOnce(replaceOnce(replaceOnce(replaceOnce(page,
                "<title>Divergent: live drift</title>", "<title>Divergent: replay report</title>"),
                "<link rel=\"stylesheet\" href=\"uPlot.css\">", "<style>\n" + UPlot.css() + "\n</style>"),
                "<link rel=\"stylesheet\" href=\"view.css\">", "<style>\n" + resource("view.css") + "\n</style>"),
                "<script src=\"uPlot.js\"></script>", inlineScript(UPlot.js())),
                "<script src=\"view.js\"></script>",
                "<script>window.DIVERGENT_DATA = " + data + ";</script>\n" + inlineScript(resource("view.js")));
    }

    /** The last alert event of each rule of a series; one that is FIRING (the most severe, then the first), or null. */
    private static ObjectNode firing(final List<ObjectNode> alerts) {
        final Map<String, ObjectNode> lastByRule = new LinkedHashMap<>();
        for (final ObjectNode alert : alerts) {
            lastByRule.put(alert.path("kind").asText("THRESHOLD") + "/" + alert.path("measure").asText(), alert);
        }
        ObjectNode firing = null;
        for (final ObjectNode alert : lastByRule.values()) {
            if ("FIRING".equals(alert.path("state").asText("FIRING"))
                    && (firing == null || severity(alert) > severity(firing))) {
                firing = alert;
            }
        }
        return firing;
    }

    private static int severity(final JsonNode alert) {
        return "CRITICAL".equals(alert.path("severity").asText()) ? 1 : 0;
    }

    /** A script inlined in HTML: a literal {@code </script} inside it would end the element early. */
    private static String inlineScript(final String js) {
        return "<script>\n" + CLOSING_SCRIPT.matcher(js).replaceAll(Matcher.quoteReplacement("<\\/") + "$1") + "\n</script>";
    }

    private static String replaceOnce(final String text, final String target, final String replacement) {
        final int at = text.indexOf(target);
        if (at < 0) {
            throw new IllegalStateException("the page template no longer contains " + target);
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }

    private static String resource(final String name) {
        try (InputStream in = ReplayReport.class.getResourceAsStream("/divergent-view/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /divergent-view/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
