package io.divergent.testing;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The browser of the browser tests: located or installed, started headless, runs a page's script. */
class ChromiumIT {

    @Test
    void headlessChromiumRunsAPageScriptAndTakesAScreenshot() throws Exception {
        final ChromeDriver driver = Chromium.headless();
        try {
            driver.get("data:text/html,<title>t</title><p id=out></p><script>"
                    + "document.getElementById('out').textContent = String(6 * 7);</script>");
            assertThat(driver.findElement(By.id("out")).getText()).isEqualTo("42");
            final Path shot = Chromium.screenshot(driver, "chromium-it.png");
            assertThat(Files.size(shot)).isPositive();
        } finally {
            driver.quit();
        }
    }
}
