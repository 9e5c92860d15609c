package io.divergent.view;

import io.divergent.local.Replayer;
import io.divergent.testing.Chromium;
import io.divergent.testing.Waits;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay report in a real browser (headless Debian Chromium), opened as a file:// page with
 * no server: the overview lists both replayed series with their state at the end of the replay
 * (DE in alert, US not), the charts of the selected series (DE, the largest drift) have one
 * point per window, its alert episodes are marked, and a screenshot is saved under target/.
 */
class ReplayReportIT {

    @Test
    void theReportOpensFromAFileWithBothSeriesTheirStatesAndCharts() throws Exception {
        final Replayer.Result result = ReportScenario.replay();
        final Path report = Path.of("target", "replay-report.html").toAbsolutePath();
        Files.createDirectories(report.getParent());
        Files.writeString(report, ReplayReport.html(ReportScenario.config(), result.events(), result.alerts()),
                StandardCharsets.UTF_8);

        final ChromeDriver browser = Chromium.headless();
        try {
            browser.get(report.toUri().toString());
            final Map<String, String> states = new TreeMap<>();
            Waits.waitUntil(Duration.ofSeconds(60), () -> {
                states.clear();
                final Object rows = browser.executeScript("const m = {}; document.querySelectorAll("
                        + "'#series-table tbody tr').forEach(r => m[r.dataset.series] = r.dataset.state); return m;");
                ((Map<?, ?>) rows).forEach((k, v) -> states.put(String.valueOf(k), String.valueOf(v)));
                return states.size() == 2 && data(browser, "js-chart", "points") > 0 && data(browser, "bars-chart", "points") > 0;
            }, () -> "the report showing both series and charts with data: " + states + ", status: "
                    + browser.findElement(By.id("status")).getText());

            assertThat(states).containsExactly(Map.entry(ReportScenario.DE, "ALERT"), Map.entry(ReportScenario.US, "OK"));
            assertThat(browser.findElement(By.id("status")).getText()).startsWith("report").contains("2 series, 1 in alert");
            assertThat(browser.findElement(By.id("detail-title")).getText()).isEqualTo(ReportScenario.DE + " — ALERT");
            assertThat(data(browser, "js-chart", "points")).as("one point per replayed window").isEqualTo(ReportScenario.WINDOWS);
            // Episodes from the alert events: fired in window 2, held through 5-6 (resolve.after 3: RESOLVED in 7),
            // fired again in 10 (still firing): 7 windows; the threshold crossings alone would be 5.
            assertThat(data(browser, "js-chart", "alertWindows")).isEqualTo(7);
            assertThat(browser.findElements(By.cssSelector("#js-chart canvas"))).as("uPlot drew the JS chart").hasSize(1);
            assertThat(browser.findElements(By.cssSelector("#bars-chart canvas"))).hasSize(1);
            // The latest DE window: "documentary" is new against the reference.
            assertThat(browser.findElement(By.cssSelector("#contributors tbody")).getText()).contains("documentary").contains("new");
            final Object jsErrors = browser.executeScript("return typeof uPlot === 'function' && window.DIVERGENT_DATA !== undefined;");
            assertThat(jsErrors).isEqualTo(true);
            final Path shot = Chromium.screenshot(browser, "replay-report.png");
            assertThat(Files.size(shot)).isPositive();
        } finally {
            browser.quit();
        }
    }

    private static long data(final ChromeDriver browser, final String chart, final String key) {
        final Object n = browser.executeScript("const e = document.getElementById(arguments[0]);"
                + " return e && e.dataset[arguments[1]] ? Number(e.dataset[arguments[1]]) : 0;", chart, key);
        return n instanceof Number number ? number.longValue() : 0;
    }
}
