package io.divergent.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Logging as a user sees it: switches this JVM's log4j2 to the shipped configuration
 * ({@code src/main/resources/log4j2.properties}, its levels and filters) and records every event
 * that reaches its root appenders, until closed, which restores the test configuration.
 * Not for tests that run concurrently with others in the same JVM.
 */
public final class ShippedLogCapture implements AutoCloseable {

    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final URI previous = context.getConfigLocation();
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    public ShippedLogCapture() {
        final URI shipped;
        try {
            shipped = Objects.requireNonNull(ShippedLogCapture.class.getResource("/log4j2.properties"),
                    "log4j2.properties on the class path").toURI();
        } catch (final URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        context.setConfigLocation(shipped);
        final Configuration config = context.getConfiguration();
        final AbstractAppender appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(final LogEvent event) {
                lines.add(event.getLevel() + " " + event.getLoggerName() + " - " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    /** The captured lines at {@code level} or more severe, as {@code LEVEL logger - message}. */
    public List<String> atLeast(final Level level) {
        return lines.stream().filter(l -> Level.toLevel(l.substring(0, l.indexOf(' '))).isMoreSpecificThan(level)).toList();
    }

    /** Every captured line. */
    public List<String> all() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        context.setConfigLocation(previous);
    }
}
