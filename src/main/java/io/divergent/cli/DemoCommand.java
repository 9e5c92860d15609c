package io.divergent.cli;

import io.divergent.local.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code divergent demo}: everything embedded, synthetic drifting traffic, a live table. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a Kafka broker in this JVM, publishes a reference, produces synthetic play events",
                "whose genre distribution drifts in one country, runs Divergent and shows what it emits, live."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--registry-url", description = "A real Schema Registry to use instead of the in-memory one.")
    private String registryUrl;

    /** Windows per series when none is given and the demo ends by itself (no terminal). */
    static final int DEFAULT_WINDOWS = 6;

    @Option(names = "--windows", description = "Windows per series to show, then finish. Default: from a terminal, "
            + "until Ctrl-C; without one (CI, scripts), " + DEFAULT_WINDOWS + ".")
    private Integer windows;

    @Option(names = "--window-seconds", defaultValue = "5", description = "Window length in event time, seconds (default ${DEFAULT-VALUE}).")
    private int windowSeconds;

    @Option(names = "--events-per-window", defaultValue = "500", description = "Events per series per window (default ${DEFAULT-VALUE}).")
    private int eventsPerWindow;

    @Option(names = "--http-port", defaultValue = "8080",
            description = "Port of the live view (0 = any free port, -1 = none; default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--no-color", description = "No ANSI colours.")
    private boolean noColor;

    @Override
    public Integer call() throws Exception {
        if ((windows != null && windows < 1) || windowSeconds < 1 || eventsPerWindow < 1) {
            System.err.println("error: --windows, --window-seconds and --events-per-window must be at least 1");
            return 2;
        }
        if (httpPort < -1 || httpPort > 65535) {
            System.err.println("error: --http-port must be a port (0 = any free one) or -1 (no live view)");
            return 2;
        }
        // From a terminal the demo produces and serves until Ctrl-C (or --windows N); without one
        // (CI, scripts) it ends by itself after its windows, so the README's first command finishes.
        final boolean terminal = System.console() != null;
        final Demo demo = new Demo(new Demo.Options(registryUrl, windows == null ? DEFAULT_WINDOWS : windows,
                Duration.ofSeconds(windowSeconds), eventsPerWindow, System.out, !noColor && terminal,
                httpPort < 0 ? null : httpPort, terminal && windows == null));
        // On Ctrl-C the JVM exits once its hooks return: wait (bounded) for the demo to close its
        // broker and delete what it wrote to disk.
        final Thread hook = new Thread(() -> {
            demo.stop();
            try {
                demo.awaitFinished(Duration.ofSeconds(30));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "divergent-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return demo.run();
    }
}
