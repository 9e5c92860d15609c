package io.divergent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian packages a test needs that Maven cannot bring (a browser, a reference parser): located
 * by the files they install, and installed with {@code apt-get} when missing, so that the
 * README's test command passes on a fresh machine of the project's kind with nothing installed
 * by hand.
 *
 * <p>The install runs at most once per machine: the caller holds an exclusive lock on
 * {@value #LOCK} (shared by every JVM, so parallel test forks do not race {@code dpkg}), and
 * looks again for the files after taking it. It needs root; anything that keeps the packages
 * from being had fails the test with a message that says what to do. It never skips.
 */
public final class DebianPackages {

    /** The lock file every JVM takes before installing. */
    static final String LOCK = "/tmp/divergent-apt-install.lock";

    private static final long INSTALL_TIMEOUT_MINUTES = 15;

    private DebianPackages() {
    }

    /**
     * Makes sure every file of {@code files} exists, installing {@code packages} if one does not.
     *
     * @param files    files the packages install (executables, modules); checked before and after
     * @param packages the Debian package names to install when a file is missing
     * @throws AssertionError if a file is still missing after the install, or the install cannot
     *                        run (not root, no {@code apt-get}) or fails; its message names the
     *                        packages, the command to run by hand and the tail of apt's output
     */
    public static synchronized void ensure(final List<Path> files, final List<String> packages) {
        if (missing(files).isEmpty()) {
            return;
        }
        try (FileChannel channel = FileChannel.open(Path.of(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            // Another JVM may have installed them while this one waited for the lock.
            if (missing(files).isEmpty()) {
                return;
            }
            install(packages);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot take the install lock " + LOCK, e);
        }
        final List<Path> still = missing(files);
        if (!still.isEmpty()) {
            throw new AssertionError("installed " + packages + " but " + still + " still missing");
        }
    }

    private static List<Path> missing(final List<Path> files) {
        return files.stream().filter(f -> !Files.isRegularFile(f)).toList();
    }

    private static void install(final List<String> packages) {
        final String byHand = "apt-get install -y " + String.join(" ", packages);
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("tests need the Debian packages " + packages + ", which are missing, and only root "
                    + "can install them: run `sudo " + byHand + "` once, or run the tests as root");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            throw new AssertionError("tests need the Debian packages " + packages + " and this machine has no apt-get: "
                    + "install them by hand (" + byHand + ")");
        }
        final List<String> installCommand = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        installCommand.addAll(packages);
        // A fresh machine may have no package lists yet, or stale ones: update once, then install.
        final String update = run(List.of("apt-get", "update", "-q"));
        final String install = run(installCommand);
        if (update != null || install != null) {
            throw new AssertionError("could not install the Debian packages " + packages + " that tests need (`"
                    + byHand + "`):\n" + (install != null ? install : update));
        }
    }

    /** Runs an apt command non-interactively; {@code null} on success, else the tail of its output. */
    private static String run(final List<String> command) {
        try {
            final Path log = Files.createTempFile("divergent-apt-", ".log");
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            final Process process = builder.start();
            if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish in " + INSTALL_TIMEOUT_MINUTES + " minutes";
            }
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (process.exitValue() == 0) {
                return null;
            }
            return String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (final IOException e) {
            return String.join(" ", command) + " could not run: " + e;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + " interrupted";
        }
    }
}
