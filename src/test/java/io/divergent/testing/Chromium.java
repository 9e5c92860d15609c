package io.divergent.testing;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Headless Debian Chromium driven by Selenium, for the browser tests.
 *
 * <p>Uses Debian's {@code chromium} and {@code chromium-driver} packages ({@value #BROWSER},
 * {@value #DRIVER}), installing them through {@link DebianPackages} when missing; never Selenium
 * Manager's downloads (this machine reaches only the package registries), so the binary and the
 * driver are both given explicitly.
 */
public final class Chromium {

    /** Debian's Chromium. */
    public static final String BROWSER = "/usr/bin/chromium";
    /** Debian's chromedriver, of the same version as {@link #BROWSER}. */
    public static final String DRIVER = "/usr/bin/chromedriver";

    private Chromium() {
    }

    /**
     * Makes sure Chromium and its driver are installed.
     *
     * @throws AssertionError if they are missing and cannot be installed (see {@link DebianPackages})
     */
    public static void ensureInstalled() {
        DebianPackages.ensure(List.of(Path.of(BROWSER), Path.of(DRIVER)), List.of("chromium", "chromium-driver"));
    }

    /**
     * Starts a headless Chromium with a 1400 x 1000 window. The caller quits it.
     *
     * @return a driver; {@code quit()} it when done
     * @throws AssertionError if the browser cannot be had
     */
    public static ChromeDriver headless() {
        ensureInstalled();
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        // --no-sandbox: tests run as root, where Chromium refuses its sandbox.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--lang=en-US");
        final ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(DRIVER).toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /**
     * Saves a screenshot of the current page as a PNG under {@code target/}.
     *
     * @param driver a running driver
     * @param name   the file name, e.g. {@code live-view.png}
     * @return the saved file
     */
    public static Path screenshot(final ChromeDriver driver, final String name) {
        final Path file = Path.of("target", name);
        try {
            Files.createDirectories(file.getParent());
            Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), file,
                    StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
