package io.divergent.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.local.Replayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The replay report's HTML: self-contained, with the data in the shapes the page reads. */
class ReplayReportTest {

    private static Replayer.Result result;
    private static String html;

    @BeforeAll
    static void replay() {
        result = ReportScenario.replay();
        html = ReplayReport.html(ReportScenario.config(), result.events(), result.alerts());
    }

    @Test
    void referencesNoFileAndNoUrl() {
        // Every script and stylesheet is inline: no element loads anything, from the network or a file.
        assertThat(Pattern.compile("<(script|link|img|iframe)\\b[^>]*\\b(src|href)\\s*=", Pattern.CASE_INSENSITIVE)
                .matcher(html).find()).as("an element with src/href").isFalse();
        assertThat(Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("an http(s):// or protocol-relative reference").isFalse();
        assertThat(Pattern.compile("@import|url\\(\\s*[\"']?(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("a stylesheet import").isFalse();
        assertThat(html).contains(UPlot.js().substring(0, 200)).contains("window.DIVERGENT_DATA = ");
        // One opening and one closing tag per inline script (uPlot, the data, view.js): nothing closes one early.
        assertThat(count(html, "<script>")).isEqualTo(3);
        assertThat(count(html, "</script>")).isEqualTo(3);
    }

    @Test
    void embedsEverySeriesWithItsStateAtTheEndAndItsAlertEvents() throws Exception {
        final Matcher m = Pattern.compile("window\\.DIVERGENT_DATA = (.*);</script>").matcher(html);
        assertThat(m.find()).isTrue();
        final JsonNode data = new ObjectMapper().readTree(m.group(1));
        final JsonNode monitor = data.get("monitors").get("monitors").get(0);
        assertThat(monitor.get("monitor").asText()).isEqualTo("genres");
        assertThat(monitor.get("thresholds").findValuesAsText("value")).containsExactly("0.1", "0.3");
        final List<String> rows = new ArrayList<>();
        monitor.get("series").forEach(s -> rows.add(s.get("series_id").asText() + " " + s.get("state").asText()));
        assertThat(rows).containsExactly(ReportScenario.DE + " ALERT", ReportScenario.US + " OK");

        final JsonNode de = data.get("series").get(ReportScenario.DE);
        assertThat(de.get("events")).hasSize(ReportScenario.WINDOWS);
        assertThat(de.get("events").get(3).get("window_start").asLong()).isEqualTo(180_000L);
        assertThat(de.get("alert").get("state").asText()).isEqualTo("FIRING");
        // Two episodes of the JS threshold rule: fired in window 2, resolved, fired again in window 10.
        final List<String> jsRule = new ArrayList<>();
        de.get("alert_events").forEach(a -> {
            if (a.get("measure").asText().equals("js_distance")) {
                jsRule.add(a.get("window_start").asLong() / 60_000 + " " + a.get("state").asText());
            }
        });
        assertThat(jsRule).startsWith("2 FIRING").contains("10 FIRING");
        assertThat(jsRule.stream().filter(s -> s.endsWith("RESOLVED"))).hasSize(1);
        assertThat(data.get("series").get(ReportScenario.US).get("alert_events")).isEmpty();
        assertThat(data.get("series").get(ReportScenario.US).get("events")).hasSize(ReportScenario.WINDOWS);
    }

    private static int count(final String text, final String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
