package io.divergent.topology;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stable string that identifies one series of one monitor: the key of the reference topic
 * and of every emitted event.
 *
 * <p>Format: the monitor name, then for each segment field, in the configured order,
 * {@code |field=value}. In field names and values the characters {@code %}, {@code |} and
 * {@code =} are percent-encoded ({@code %25}, {@code %7C}, {@code %3D}) so the id can always be
 * split back. A missing or null segment value is the empty string. Examples:
 * {@code genres}, {@code genres|model_version=v2|country=DE}.
 */
public final class SeriesId {

    private SeriesId() {
    }

    /**
     * Builds the id of a series.
     *
     * @param monitor the monitor name (never contains {@code |})
     * @param fields  segment field names, in configured order
     * @param values  the segment values, same size as {@code fields}; null means missing
     * @return the series id
     */
    public static String of(final String monitor, final List<String> fields, final List<String> values) {
        if (fields.isEmpty()) {
            return monitor;
        }
        final StringBuilder id = new StringBuilder(monitor.length() + 16 * fields.size());
        id.append(monitor);
        for (int i = 0; i < fields.size(); i++) {
            id.append('|');
            escape(fields.get(i), id);
            id.append('=');
            final String value = values.get(i);
            if (value != null) {
                escape(value, id);
            }
        }
        return id.toString();
    }

    /** The monitor part of a series id: everything before the first {@code |}. */
    public static String monitorOf(final String seriesId) {
        final int bar = seriesId.indexOf('|');
        return bar < 0 ? seriesId : seriesId.substring(0, bar);
    }

    /**
     * The segments of a series id, field to value, in order.
     *
     * @return a new map, the caller's to keep or change
     *
     * @throws IllegalArgumentException if a segment has no {@code =} or a bad escape
     */
    public static Map<String, String> segmentsOf(final String seriesId) {
        final Map<String, String> segments = new LinkedHashMap<>();
        final String[] parts = seriesId.split("\\|", -1);
        for (int i = 1; i < parts.length; i++) {
            final int eq = parts[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("series id '" + seriesId + "': segment '" + parts[i] + "' has no '='");
            }
            segments.put(unescape(parts[i].substring(0, eq)), unescape(parts[i].substring(eq + 1)));
        }
        return segments;
    }

    /**
     * The partition key of a series: its segment values, unescaped, in configured order, joined by
     * {@code |} ({@code genres|country=DE} gives {@code DE}; {@code genres|model=v2|country=DE} gives
     * {@code v2|DE}; a missing value is the empty string); the empty string for a series without
     * segment fields. Where the input is partitioned by series ({@code input.partitioned.by.series}),
     * a record keyed by this string is where {@link SeriesPartitioner} expects it. Lenient: a
     * malformed id (a segment without {@code =}) still gives a key, the segment's text.
     */
    public static String partitionKey(final String seriesId) {
        int bar = seriesId.indexOf('|');
        if (bar < 0) {
            return "";
        }
        final StringBuilder key = new StringBuilder(seriesId.length() - bar);
        boolean first = true;
        while (bar >= 0) {
            final int next = seriesId.indexOf('|', bar + 1);
            final int end = next < 0 ? seriesId.length() : next;
            final int eq = seriesId.indexOf('=', bar + 1);
            final int start = eq < 0 || eq > end ? bar + 1 : eq + 1;
            if (!first) {
                key.append('|');
            }
            first = false;
            key.append(unescape(seriesId.substring(start, end)));
            bar = next;
        }
        return key.toString();
    }

    private static void escape(final String text, final StringBuilder out) {
        if (text.indexOf('%') < 0 && text.indexOf('|') < 0 && text.indexOf('=') < 0) {
            out.append(text);   // the usual case, in one copy (once per record)
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '%' -> out.append("%25");
                case '|' -> out.append("%7C");
                case '=' -> out.append("%3D");
                default -> out.append(c);
            }
        }
    }

    private static String unescape(final String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
