package io.divergent.local;

import io.divergent.testing.Chromium;
import io.divergent.testing.Waits;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view in a real browser (headless Debian Chromium) during a demo run: the page loads
 * from the demo's server, its overview lists both series with their alert states (DE drifts
 * and is in alert, US is not), and its charts get data, the open window's (from /api/series/open)
 * included; a screenshot is saved under target/.
 */
class LiveViewIT {

    @Test
    void thePageShowsBothSeriesTheirAlertStatesAndChartsDuringADemo() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ExecutorService runner = Executors.newSingleThreadExecutor();
        final ChromeDriver browser = Chromium.headless();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            final Demo demo = new Demo(new Demo.Options(null, 5, Duration.ofSeconds(5), 200, out, false, 0, true));
            final Future<Integer> run = runner.submit(demo::run);
            try {
                final URI url = demo.awaitViewUrl(Duration.ofSeconds(120));
                assertThat(url).as("the demo serves the live view%n%s", bytes).isNotNull();
                assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Live view: " + url);
                browser.get(url.toString());

                final Map<String, String> states = new TreeMap<>();
                Waits.waitUntil(Duration.ofSeconds(120), () -> {
                    states.clear();
                    // Read in one script: the page re-renders its table at every poll.
                    final Object rows = browser.executeScript("const m = {}; document.querySelectorAll("
                            + "'#series-table tbody tr').forEach(r => m[r.dataset.series] = r.dataset.state); return m;");
                    ((Map<?, ?>) rows).forEach((k, v) -> states.put(String.valueOf(k), String.valueOf(v)));
                    return "ALERT".equals(states.get("genres|country=DE")) && states.containsKey("genres|country=US")
                            && points(browser, "js-chart") >= 3 && points(browser, "bars-chart") >= 3
                            && points(browser, "open-chart") >= 3
                            // The detail follows the series drifting most (DE, once it drifts) until a row is clicked.
                            && browser.findElement(By.id("detail-title")).getText().contains("genres|country=DE");
                }, () -> "the page showing DE in alert and charts with data: " + states + ", chart points "
                        + points(browser, "js-chart") + "/" + points(browser, "bars-chart") + ", status: "
                        + browser.findElement(By.id("status")).getText() + "\n" + bytes);

                assertThat(states).containsOnlyKeys("genres|country=DE", "genres|country=US");
                assertThat(states.get("genres|country=US")).isIn("OK", "ALERT");
                assertThat(browser.findElements(By.cssSelector("#js-chart canvas"))).as("uPlot drew the JS chart").isNotEmpty();
                assertThat(browser.findElements(By.cssSelector("#bars-chart canvas"))).isNotEmpty();
                // The open window against its reference, from /api/series/open: the demo's topic reference is shown.
                assertThat(browser.findElement(By.id("open-caption")).getText()).startsWith("Open window")
                        .contains("events so far) against its reference").doesNotContain("none from the reference topic");
                assertThat(browser.findElement(By.id("detail-title")).getText()).contains("genres|country=DE");
                assertThat(browser.findElements(By.cssSelector("#contributors tbody tr"))).isNotEmpty();
                final Path shot = Chromium.screenshot(browser, "live-view.png");
                assertThat(Files.size(shot)).isPositive();
            } finally {
                demo.stop();
                assertThat(run.get()).as("demo exit code%n%s", bytes).isZero();
            }
        } finally {
            browser.quit();
            runner.shutdownNow();
        }
    }

    private static long points(final ChromeDriver browser, final String chart) {
        final Object n = browser.executeScript(
                "const e = document.getElementById(arguments[0]); return e && e.dataset.points ? Number(e.dataset.points) : 0;", chart);
        return n instanceof Number number ? number.longValue() : 0;
    }
}
