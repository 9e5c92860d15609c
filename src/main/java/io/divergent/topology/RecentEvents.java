package io.divergent.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Key layout of the store of recent events ({@link DivergentTopology#RECENT_EVENTS_STORE}), the
 * one place that reads and writes it: the live view's interactive queries scan it by these
 * prefixes. Keys are strings (UTF-8, so a prefix of a key's text is a prefix of its bytes);
 * values are the registry wire format of the Avro record, so the schema of an old value is
 * known after the record evolves.
 *
 * <ul>
 *   <li>{@code E|<series>\0<slot>}: an emitted {@code DivergenceEvent}; {@code slot} is
 *       {@code (window_start / advance) mod capacity}, zero-padded, so a series holds at most
 *       {@code capacity} events, each new window overwriting the one {@code capacity} windows
 *       older. After a gap, slots older than {@code capacity} windows before the latest can
 *       remain: readers drop them ({@link #inRange}).</li>
 *   <li>{@code L|<series>}: the latest emitted event of the series (the one with the largest
 *       window start), for listing series without scanning their histories.</li>
 *   <li>{@code A|<series> NUL <kind>/<measure>}: the FIRING {@code DriftAlert} of a rule, until it resolves.</li>
 *   <li>{@code H|<series>}: the series' latest alert events ({@link #appendAlert}).</li>
 * </ul>
 */
public final class RecentEvents {

    private static final String EVENT = "E|";
    private static final String LATEST = "L|";
    private static final String ALERT = "A|";
    private static final String ALERT_HISTORY = "H|";
    /** Alert events kept per series for the view's episodes, the latest ones. */
    public static final int ALERT_EVENTS = 64;

    private RecentEvents() {
    }

    /** Key of the slot of a window of a series. */
    public static String eventKey(final String series, final long windowStart, final long advanceMs, final int capacity) {
        final long slot = Math.floorMod(Math.floorDiv(windowStart, advanceMs), (long) capacity);
        return eventPrefix(series) + String.format(java.util.Locale.ROOT, "%010d", slot);
    }

    /** Prefix of every event key of a series. */
    public static String eventPrefix(final String series) {
        return EVENT + series + '\u0000';
    }

    /** Key of the latest event of a series. */
    public static String latestKey(final String series) {
        return LATEST + series;
    }

    /** Prefix of every latest-event key. */
    public static String latestPrefix() {
        return LATEST;
    }

    /** The series of a latest-event key. */
    public static String seriesOfLatestKey(final String key) {
        return key.substring(LATEST.length());
    }

    /** Key of a series' latest {@value #ALERT_EVENTS} alert events, {@link #appendAlert} encoded. */
    public static String alertHistoryKey(final String series) {
        return ALERT_HISTORY + series;
    }

    /**
     * Appends one serialized alert event to an alert history value, dropping the oldest beyond
     * {@value #ALERT_EVENTS}. Layout: a count, then each entry as its length and bytes.
     *
     * @param history the stored value, or null for none
     */
    public static byte[] appendAlert(final byte[] history, final byte[] alert) {
        final List<byte[]> entries = new ArrayList<>(alerts(history));
        entries.add(alert);
        final List<byte[]> kept = entries.subList(Math.max(0, entries.size() - ALERT_EVENTS), entries.size());
        int size = 4;
        for (final byte[] entry : kept) {
            size += 4 + entry.length;
        }
        final ByteBuffer buffer = ByteBuffer.allocate(size).putInt(kept.size());
        for (final byte[] entry : kept) {
            buffer.putInt(entry.length).put(entry);
        }
        return buffer.array();
    }

    /** The serialized alert events of an alert history value, oldest first; none for null. */
    public static List<byte[]> alerts(final byte[] history) {
        if (history == null) {
            return List.of();
        }
        final ByteBuffer buffer = ByteBuffer.wrap(history);
        final int n = buffer.getInt();
        final List<byte[]> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final byte[] entry = new byte[buffer.getInt()];
            buffer.get(entry);
            entries.add(entry);
        }
        return entries;
    }

    /** Key of the latest FIRING alert of one rule (kind and measure) of a series, while it fires. */
    public static String alertKey(final String series, final String kind, final String measure) {
        return alertPrefix(series) + kind + "/" + measure;
    }

    /** Prefix of the keys of a series' firing alerts. */
    public static String alertPrefix(final String series) {
        return ALERT + series + '\u0000';
    }

    /**
     * Whether an event window is within the retained range: fewer than {@code capacity} advances
     * before the latest window.
     */
    public static boolean inRange(final long windowStart, final long latestStart, final long advanceMs, final int capacity) {
        return latestStart - windowStart < advanceMs * (long) capacity;
    }

    static byte[] utf8(final String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
