package io.divergent.topology;

import io.divergent.config.MonitorConfig;
import io.divergent.config.ReferenceMode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.math.Histogram;
import io.divergent.math.VolumeTest;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Counts observations per (series, pane, category) and, when the watermark closes a window,
 * emits the divergence events of the series that had events in it, together, as one
 * {@link Emitted.Window} (the alert processor downstream corrects their p-values together).
 *
 * <p>A pane is a tumbling sub-window of length {@code advance}; a window of length
 * {@code size} is the sum of its {@code size / advance} panes, combined only at emission, so a
 * record costs one counter update whatever the hop.
 *
 * <p>Heap first (issue 16): the open panes' counts ({@link PaneCounts}, one per (pane, series)),
 * the task's stream time, each monitor's closed-until time and its expected series live on the
 * heap; a record touches no store. Before every commit of the task ({@link CommitHook}) each
 * pane changed since the last commit gets <em>one</em> value in the monitor's panes store, keyed
 * (pane, commit sequence), holding the changes of every series counted in it during the commit
 * ({@link PaneJournal}: a delta, or the whole summary of one that evicted); every value of each
 * expired pane is deleted, and the times are written to the meta store (under at-least-once
 * later: see {@link #persist}). Both stores are logged
 * and not cached, so their changelog records go out inside that commit (under exactly-once: in
 * its transaction). A pane born and expired between two commits never reaches the store.
 * {@link #init} rebuilds the heap from the stores, which restore filled from their changelogs,
 * replaying each pane's values in commit order, so a crash loses nothing that was committed and
 * keeps nothing that was not.
 *
 * <p>The trade: an open pane's stored state is its journal, O(commits that changed it x
 * categories changed per commit), not O(its categories). A pane that has {@value #COMPACT_AFTER}
 * values when it changes again is compacted instead: one value with the whole summary of each
 * of its series, and its older values deleted, so a pane never holds more than
 * {@value #COMPACT_AFTER} values (at most {@value #COMPACT_AFTER} x its whole summaries).
 *
 * <p>The category cap ({@code max.categories}, K) is a Space-Saving summary per (pane, series)
 * of at most {@code m = K + 1} counters ({@link PaneCounts}). At emission the panes' summaries
 * are merged and the window keeps its K most frequent categories ({@link CategoryFold}); the
 * reference is folded onto the same set.
 *
 * <p>Each monitor's windows close by its {@link InputWatermark}: the least of the largest event
 * times of the input partitions still sending (reference records do not move it). Window
 * {@code [start, end)} closes when the watermark reaches {@code end + grace}. A record whose every
 * window has closed is late: not counted, dead-lettered. Stream time, the largest event time the
 * task has seen, bounds how far ahead a record may be ({@code max.future}) and moves with the wall
 * clock when the task is idle.
 */
final class WindowProcessor implements Processor<String, Observation, String, Routed> {

    private static final Logger LOG = LoggerFactory.getLogger(WindowProcessor.class);
    private static final String STREAM_TIME = DivergentTopology.STREAM_TIME_KEY;
    private static final String CLOSED_PREFIX = "closed-until|";
    /** Meta store keys {@code source-time|<monitor>|<input partition>}: each partition's largest event time. */
    private static final String SOURCE_PREFIX = "source-time|";
    /** The category that takes the counts of the categories a window folds (beyond max.categories). */
    static final String OTHER = "__other__";
    /** Values a pane's journal holds at most: the next change compacts it into one. */
    static final int COMPACT_AFTER = 64;
    /**
     * The volume journal is compacted (every expected series' whole history written, the values
     * before deleted) once the values written since the last compaction are
     * {@value #VOLUME_COMPACTION_RATIO} times its size, and at least
     * {@value #MIN_VOLUME_COMPACTION_BYTES} bytes: the store holds about four times the state at
     * most, and writes about a third more than what changed. Before the first compaction of a
     * task (nothing to go by) its size is taken as at least {@value #MIN_HISTORY_BYTES} bytes per
     * expected series, so a young journal is not replaced by a compaction larger than itself.
     */
    static final int VOLUME_COMPACTION_RATIO = 3;
    static final int MIN_VOLUME_COMPACTION_BYTES = 64 * 1024;
    /** Fewest bytes an expected series takes in a compaction: op, id, history (its end alone is ~6). */
    static final int MIN_HISTORY_BYTES = 8;

    /** Per-monitor window geometry and stores. */
    private static final class MonitorState {
        final MonitorConfig config;
        final long size;
        final long advance;
        final long grace;
        final EventFactory events;
        /** (pane start, commit sequence) -> {@link PaneJournal}: the open panes as of the last commit. */
        KeyValueStore<Bytes, byte[]> panesStore;
        KeyValueStore<Bytes, byte[]> history;
        /** The expected series and their {@link VolumeHistory}, as a {@link VolumeJournal}. */
        KeyValueStore<String, byte[]> volume;
        /** Every window ending at or before this has been emitted; Long.MIN_VALUE before the first record. */
        long closedUntil = Long.MIN_VALUE;
        /** closedUntil as the meta store holds it. */
        long storedClosedUntil = Long.MIN_VALUE;
        /** The open panes by start. */
        final TreeMap<Long, Pane> panes = new TreeMap<>();
        /** The pane counted last: records come mostly in time order, so most find theirs here. */
        Pane lastPane;
        /** How many series the last expired pane held: a new pane's map starts that large (no rehash per doubling). */
        int seriesPerPane;
        /** Panes with series changed since the last commit (each once). */
        final List<Pane> dirty = new ArrayList<>();
        /** Keys of the panes the store holds that expired since the last commit. */
        List<Bytes> expired = new ArrayList<>();
        /** Keys of panes that expired before earlier commits, oldest first, one list per commit, not yet deleted (see {@link #persist}). */
        final ArrayDeque<List<Bytes>> expiredBefore = new ArrayDeque<>();
        /** Values a compaction replaced under at-least-once: the next commit deletes them, once the values replacing them are durable. */
        final List<Bytes> replaced = new ArrayList<>();
        /** closedUntil as of the last commit, and of the one before: what an at-least-once commit writes. */
        long closedUntilAtCommit = Long.MIN_VALUE;
        long closedUntilTwoCommitsAgo = Long.MIN_VALUE;
        /** At-least-once: the closed-until time written at the commit before the last, durable since the last one. */
        long closedUntilDurable = Long.MIN_VALUE;
        final PaneJournal.Writer journal;
        /** When the monitor's windows close: set at init, from the closed-until time. */
        InputWatermark watermark;
        /** Input partitions the watermark awaits from the start (0: those heard from). */
        int awaitedPartitions;
        /** Each input partition's event time as the meta store holds it, and as of the last commit (at-least-once); NONE: none. */
        long[] storedSourceTimes = new long[0];
        long[] sourceTimesAtCommit = new long[0];
        /** The expected series and their volume history; the volume store's journal rebuilds it. */
        final TreeMap<String, VolumeHistory> expected = new TreeMap<>();
        /** What changed in {@link #expected} since the last value written to the volume store. */
        final VolumeJournal.Writer volumeJournal = new VolumeJournal.Writer();
        /** The keys the volume store holds: a compaction deletes them. */
        final List<String> volumeKeys = new ArrayList<>();
        /** Bytes of volume journal written since the last compaction, and that compaction's bytes. */
        long volumeSinceCompaction;
        long volumeCompactionBytes;
        /** The volume store holds values of its first layout: the next commit compacts. */
        boolean volumeCompactionDue;
        /** At-least-once: volume values of changes since the last commit, and those of the commit before, written at the next. */
        final List<byte[]> volumeStaged = new ArrayList<>();
        final List<byte[]> volumeReady = new ArrayList<>();
        /** At-least-once: volume keys a compaction (or forgetting every series) replaced, one list per commit, deleted two commits later. */
        final ArrayDeque<List<String>> volumeReplaced = new ArrayDeque<>();

        MonitorState(final MonitorConfig config) {
            this.config = config;
            this.size = config.windowSize().toMillis();
            this.advance = config.windowAdvance().toMillis();
            this.grace = config.grace().toMillis();
            this.events = new EventFactory(config);
            this.journal = new PaneJournal.Writer(config.name());
        }
    }

    /** One open pane of a monitor: its series' counts and the values the store holds for it. */
    private static final class Pane {
        final long start;
        final Map<String, OpenPane> series;
        /** Series changed since the last commit (each once); non-empty: listed in {@link MonitorState#dirty}. */
        final List<OpenPane> dirty = new ArrayList<>();
        /** Commit sequences of the values the store holds for the pane (so expiring it deletes them). */
        long[] stored = new long[4];
        int storedCount;
        /** How many of them the last compaction wrote (a large pane's whole summaries take several values). */
        int compacted;
        /** Its windows have all closed. */
        boolean expired;

        Pane(final long start) {
            this(start, 0);
        }

        /** @param expectedSeries how many series the pane will likely hold */
        Pane(final long start, final int expectedSeries) {
            this.start = start;
            this.series = new HashMap<>(Math.max(16, (int) (expectedSeries / 0.75f) + 1));
        }

        void stored(final long seq) {
            if (storedCount == stored.length) {
                stored = java.util.Arrays.copyOf(stored, 2 * storedCount);
            }
            stored[storedCount++] = seq;
        }
    }

    /** Series in the order of their ids: the order {@link PaneJournal} writes them in best. */
    private static final Comparator<OpenPane> BY_SERIES = Comparator.comparing(open -> open.series);

    /** One series' counts in one open pane. */
    private static final class OpenPane {
        final String series;
        final PaneCounts counts;
        /** Changed since the last commit (and listed in its {@link Pane#dirty}). */
        boolean dirty;

        OpenPane(final String series, final PaneCounts counts) {
            this.series = series;
            this.counts = counts;
        }
    }

    /**
     * The names of the stores the supplier connects to this processor.
     *
     * @param meta       the task's stream time and each monitor's closed-until time (logged, not cached)
     * @param hook       the {@link CommitHook} that calls the processor before each commit
     * @param references the global store of reference versions (read only)
     * @param panes      each monitor's panes store (logged, not cached), by monitor name
     * @param history    the past-window store of each monitor whose reference is not the topic, by monitor name
     * @param volume     each monitor's volume store (series -> {@link VolumeHistory}), by monitor name
     */
    record StoreNames(String meta, String hook, String references, Map<String, String> panes, Map<String, String> history,
                      Map<String, String> volume) {
        StoreNames {
            panes = Map.copyOf(panes);
            history = Map.copyOf(history);
            volume = Map.copyOf(volume);
        }
    }

    /**
     * When windows close without events and which series are expected in them.
     *
     * @param idleTimeoutMs a task that processed no event for this long (wall clock) is idle; 0: never
     * @param horizonWindows a series is expected in at most this many windows (hops) after its last window with events
     * @param volumeWindows past non-overlapping windows in a series' expected volume, >= 1
     */
    record Liveness(long idleTimeoutMs, int horizonWindows, int volumeWindows) {
        /** How often an idle task's stream time is moved: often enough to add little to the idle timeout. */
        long punctuationMs() {
            return Math.max(10, Math.min(1_000, idleTimeoutMs / 4));
        }
    }

    private final Map<String, MonitorState> monitors = new HashMap<>();
    private final List<MonitorState> ordered = new ArrayList<>();
    private final long maxFutureMs;
    private final long maxCategories;
    /** Space-Saving counters per (pane, series): max.categories + 1 (Long.MAX_VALUE: no cap). */
    private final long counters;
    /** streamTime as the meta store holds it. */
    private long storedStreamTime = -1;
    /** streamTime as of the last commit: what an at-least-once commit writes next. */
    private long streamTimeAtCommit = -1;
    /** processing.guarantee is at_least_once: what a close changes is written late (see {@link #persist}). */
    private boolean atLeastOnce;
    /** Commits an expired pane's values stay in the store after the one that follows its expiry (see {@link #persist}). */
    private int deleteLag;
    /** The commit sequence of the panes values the next commit writes: above every one the stores hold. */
    private long nextSeq;
    private final int deadLetterBudget;
    private final StoreNames stores;
    private final Liveness liveness;
    /** Wall-clock time of the last observation this task processed (or of init): idleness is measured from it. */
    private long lastRecordWall;
    private ProcessorContext<String, Routed> context;
    private DeadLetters deadLetters;
    private KeyValueStore<String, Long> meta;
    private final ReferenceLookup.Generation referenceGeneration;
    private ReferenceLookup references;
    private DivergentMetrics metrics;
    private long streamTime = -1;

    /** As the constructor below, awaiting at the start only the input partitions heard from (tests). */
    WindowProcessor(final List<MonitorConfig> monitors, final StoreNames stores, final long maxFutureMs,
                    final long maxCategories, final int deadLetterBudget, final Liveness liveness,
                    final ReferenceLookup.Generation referenceGeneration) {
        this(monitors, stores, maxFutureMs, maxCategories, deadLetterBudget, liveness, referenceGeneration, Map.of());
    }

    /**
     * @param stores        the names of the stores its supplier connects to it
     * @param maxFutureMs   how far ahead of stream time a record may be (Long.MAX_VALUE: no bound)
     * @param maxCategories categories kept per series per window, the most frequent ones; the rest
     *                      fold into {@value #OTHER} (Long.MAX_VALUE: no cap)
     * @param deadLetterBudget bytes a dead letter may take ({@link DeadLetter#budget})
     * @param liveness      idle close and expected series
     * @param referenceGeneration bumped by the {@link ReferenceProcessor} of the same topology at each write
     * @param awaitedPartitions by monitor name, the input partitions its {@link InputWatermark} awaits
     *                      from the start (the input topic's partition count behind a repartition);
     *                      a monitor absent: only those heard from
     */
    WindowProcessor(final List<MonitorConfig> monitors, final StoreNames stores, final long maxFutureMs,
                    final long maxCategories, final int deadLetterBudget, final Liveness liveness,
                    final ReferenceLookup.Generation referenceGeneration, final Map<String, Integer> awaitedPartitions) {
        this.stores = stores;
        this.referenceGeneration = referenceGeneration;
        this.liveness = liveness;
        for (final MonitorConfig monitor : monitors) {
            final MonitorState state = new MonitorState(monitor);
            state.awaitedPartitions = awaitedPartitions.getOrDefault(monitor.name(), 0);
            this.monitors.put(monitor.name(), state);
            this.ordered.add(state);
        }
        this.maxFutureMs = maxFutureMs;
        this.maxCategories = maxCategories;
        this.counters = maxCategories == Long.MAX_VALUE ? Long.MAX_VALUE : maxCategories + 1;
        this.deadLetterBudget = deadLetterBudget;
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        this.meta = context.getStateStore(stores.meta());
        this.references = new ReferenceLookup(context.getStateStore(stores.references()), referenceGeneration,
                ReferenceLookup.DecodedReferences.BUDGET);
        this.metrics = new DivergentMetrics(context.metrics(), context.taskId().toString());
        this.deadLetters = new DeadLetters(context, metrics, deadLetterBudget);
        final Long time = meta.get(STREAM_TIME);
        streamTime = time == null ? -1 : time;
        storedStreamTime = streamTime;
        streamTimeAtCommit = streamTime;
        atLeastOnce = StreamsConfig.AT_LEAST_ONCE.equals(context.appConfigs().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        deleteLag = atLeastOnce ? 3 : 0;
        nextSeq = 0;
        for (final MonitorState monitor : ordered) {
            monitor.panesStore = context.getStateStore(stores.panes().get(monitor.config.name()));
            if (monitor.config.referenceMode() != ReferenceMode.TOPIC) {
                monitor.history = context.getStateStore(stores.history().get(monitor.config.name()));
            }
            monitor.volume = context.getStateStore(stores.volume().get(monitor.config.name()));
            final Long closed = meta.get(CLOSED_PREFIX + monitor.config.name());
            monitor.closedUntil = closed == null ? Long.MIN_VALUE : closed;
            monitor.storedClosedUntil = monitor.closedUntil;
            monitor.closedUntilAtCommit = monitor.closedUntil;
            monitor.closedUntilTwoCommitsAgo = monitor.closedUntil;
            monitor.closedUntilDurable = monitor.closedUntil;
            // The watermark starts at the closed-until time (a record of a closed window stays
            // late), then takes the input partitions' event times the last commit stored.
            monitor.watermark = new InputWatermark(monitor.awaitedPartitions, liveness.idleTimeoutMs(),
                    context.currentSystemTimeMs(), monitor.closedUntil == Long.MIN_VALUE ? InputWatermark.NONE
                    : monitor.closedUntil + monitor.grace);
            restoreSourceTimes(monitor);
            nextSeq = Math.max(nextSeq, rebuildHeap(monitor) + 1);
        }
        final CommitHook hook = context.getStateStore(stores.hook());
        hook.beforeCommit(this::persist);
        // A task just assigned (or restored) counts as active: its backlog, if any, arrives first.
        lastRecordWall = context.currentSystemTimeMs();
        if (liveness.idleTimeoutMs() > 0) {
            context.schedule(Duration.ofMillis(liveness.punctuationMs()), PunctuationType.WALL_CLOCK_TIME, this::idle);
        }
    }

    /**
     * Each input partition's event time as the last commit stored it: a partition that sent
     * everything before that commit still holds the watermark where it was (it has nothing to
     * send again), not at the closed-until time.
     */
    private void restoreSourceTimes(final MonitorState monitor) {
        final String prefix = SOURCE_PREFIX + monitor.config.name() + "|";
        try (KeyValueIterator<String, Long> it = meta.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                final KeyValue<String, Long> entry = it.next();
                final int partition = Integer.parseInt(entry.key.substring(prefix.length()));
                monitor.watermark.restore(partition, entry.value);
                monitor.storedSourceTimes = sourceTimeSlots(monitor.storedSourceTimes, partition + 1);
                monitor.storedSourceTimes[partition] = entry.value;
            }
        }
        monitor.sourceTimesAtCommit = monitor.storedSourceTimes.clone();
        monitor.watermark.refresh(context.currentSystemTimeMs());
    }

    /** {@code times}, at least {@code slots} long, new slots {@link InputWatermark#NONE}. */
    private static long[] sourceTimeSlots(final long[] times, final int slots) {
        if (times.length >= slots) {
            return times;
        }
        final long[] grown = java.util.Arrays.copyOf(times, slots);
        java.util.Arrays.fill(grown, times.length, slots, InputWatermark.NONE);
        return grown;
    }

    /** Writes each input partition's event time that changed (under at-least-once, as of the last commit). */
    private void persistSourceTimes(final MonitorState monitor) {
        final InputWatermark watermark = monitor.watermark;
        final int slots = watermark.partitions();
        monitor.storedSourceTimes = sourceTimeSlots(monitor.storedSourceTimes, slots);
        monitor.sourceTimesAtCommit = sourceTimeSlots(monitor.sourceTimesAtCommit, slots);
        for (int p = 0; p < slots; p++) {
            final long now = watermark.time(p);
            final long time = atLeastOnce ? monitor.sourceTimesAtCommit[p] : now;
            monitor.sourceTimesAtCommit[p] = now;
            if (time != InputWatermark.NONE && time != monitor.storedSourceTimes[p]) {
                meta.put(SOURCE_PREFIX + monitor.config.name() + "|" + p, time);
                monitor.storedSourceTimes[p] = time;
            }
        }
    }

    /**
     * The wall-clock punctuator. An input partition that sent nothing for {@code idle.timeout}
     * stops holding its monitor's watermark back ({@link InputWatermark#refresh}). Once the whole
     * task has processed no observation for {@code idle.timeout}, stream time and every
     * watermark follow {@code now - idle.timeout}. Then it closes what that closes. A task that
     * has never had stream time has nothing to close and is left alone (a backfill of history into
     * a new application must not find its windows closed). Neither moves back; stream time is
     * stored as a record would store it, in the task's transaction.
     */
    private void idle(final long now) {
        if (streamTime < 0) {
            return;
        }
        final boolean taskIdle = now - lastRecordWall >= liveness.idleTimeoutMs();
        final long target = now - liveness.idleTimeoutMs();
        if (taskIdle && target > streamTime) {
            streamTime = target;
        }
        for (final MonitorState state : ordered) {
            state.watermark.refresh(now);
            if (taskIdle) {
                state.watermark.advanceTo(target);
            }
            closeWindows(state);
        }
    }

    /** Removes the task's watermark gauges: the task's stores and its metrics go together. */
    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
    }

    /** Up to this many monitors, an observation's is found by comparing names; past it, by a hash lookup. */
    private static final int MONITORS_COMPARED = 16;

    /**
     * The monitor of a series id, or null: compared in place with the few monitors' names rather
     * than cut out and hashed, which allocated a string per observation (issue 16).
     */
    private MonitorState monitorOf(final String series) {
        if (ordered.size() > MONITORS_COMPARED) {
            return monitors.get(SeriesId.monitorOf(series));
        }
        final int bar = series.indexOf('|');
        final int length = bar < 0 ? series.length() : bar;
        for (final MonitorState state : ordered) {
            final String name = state.config.name();
            if (name.length() == length && series.startsWith(name)) {
                return state;
            }
        }
        return null;
    }

    @Override
    public void process(final Record<String, Observation> record) {
        process(record.key(), record.value(), record.timestamp());
    }

    /**
     * {@link #process(Record)} without the {@code Record}: what {@link ObservationUnbatcher} calls
     * for each observation of a batch (a {@code Record} and its headers per observation otherwise).
     *
     * @param series          the series id (the record key)
     * @param observation     the observation
     * @param recordTimestamp the input record's timestamp (that of a dead letter)
     */
    void process(final String series, final Observation observation, final long recordTimestamp) {
        final long now = context.currentSystemTimeMs();
        lastRecordWall = now;
        final MonitorState monitor = monitorOf(series);
        final long time = observation.eventTime();
        if (monitor == null) {
            // A series of a monitor that is no longer configured, still in the repartition topic.
            LOG.warn("Dropped an observation of series '{}': no monitor '{}' is configured", series, SeriesId.monitorOf(series));
            return;
        }
        if (time > Long.MAX_VALUE - monitor.size - monitor.grace - monitor.advance) {
            // Its window would end past the largest long: window arithmetic would overflow.
            reject(series, observation, recordTimestamp, monitor,
                    DeadLetter.Kind.FUTURE, "event time " + time
                    + " is beyond the last window that can close (window end + grace must fit a 64-bit count of milliseconds)");
            return;
        }
        if (streamTime >= 0 && time - streamTime > maxFutureMs) {
            reject(series, observation, recordTimestamp, monitor,
                    DeadLetter.Kind.FUTURE, "event time " + time + " is " + (time - streamTime)
                    + " ms ahead of stream time " + streamTime + " (max.future allows " + maxFutureMs + " ms)");
            return;
        }
        // Also bounded by the wall clock: a task's first record sets its stream time (one bad clock
        // at startup would make every record after it late), and records each a little ahead of
        // the last could walk stream time into the future, where the broker refuses the events'
        // timestamps (message.timestamp.after.max.ms). Replayed history is far behind the clock.
        if (time - now > maxFutureMs) {
            reject(series, observation, recordTimestamp, monitor,
                    DeadLetter.Kind.FUTURE, "event time " + time + " is " + (time - now)
                    + " ms ahead of the wall clock " + now + " (max.future allows " + maxFutureMs + " ms)");
            return;
        }
        if (time > streamTime) {
            streamTime = time;
        }
        final long watermark = monitor.watermark.observe(observation.sourcePartition(), time, now);
        final long pane = Math.floorDiv(time, monitor.advance) * monitor.advance;
        if (pane + monitor.size + monitor.grace <= watermark) {
            reject(series, observation, recordTimestamp, monitor,
                    DeadLetter.Kind.LATE, "event time " + time + " is late: its last window ["
                    + pane + ", " + (pane + monitor.size) + ") closed at event time " + (pane + monitor.size + monitor.grace)
                    + " and the input has come to " + watermark
                    + " (the least event time of the input partitions still sending)");
        } else {
            count(monitor, pane, series, observation.category());
        }
        // Only this monitor's watermark moved.
        closeWindows(monitor);
    }

    /** Adds one event of a category to its (pane, series) on the heap; see {@link PaneCounts}. */
    private void count(final MonitorState monitor, final long pane, final String series, final String category) {
        Pane ofPane = monitor.lastPane;
        if (ofPane == null || ofPane.start != pane || ofPane.expired) {
            ofPane = monitor.panes.get(pane);
            if (ofPane == null) {
                ofPane = new Pane(pane, monitor.seriesPerPane);
                monitor.panes.put(pane, ofPane);
            }
            monitor.lastPane = ofPane;
        }
        OpenPane open = ofPane.series.get(series);
        if (open == null) {
            open = new OpenPane(series, new PaneCounts(counters));
            ofPane.series.put(series, open);
        }
        open.counts.add(category);
        if (!open.dirty) {
            open.dirty = true;
            if (ofPane.dirty.isEmpty()) {
                monitor.dirty.add(ofPane);
            }
            ofPane.dirty.add(open);
        }
    }

    /**
     * Loads a monitor's open panes and expected series from its stores (restored, if need be,
     * before init): each pane's values replayed in commit order.
     *
     * @return the largest commit sequence in the panes store, -1 if none
     */
    private long rebuildHeap(final MonitorState monitor) {
        monitor.panes.clear();
        monitor.lastPane = null;
        monitor.dirty.clear();
        monitor.expired.clear();
        monitor.expiredBefore.clear();
        monitor.replaced.clear();
        monitor.expected.clear();
        long maxSeq = -1;
        // Key order: each pane's values in commit order, as they must be replayed.
        try (KeyValueIterator<Bytes, byte[]> it = monitor.panesStore.all()) {
            while (it.hasNext()) {
                final KeyValue<Bytes, byte[]> entry = it.next();
                final Pane pane = monitor.panes.computeIfAbsent(StoreKeys.paneOf(entry.key), Pane::new);
                final long seq = StoreKeys.seqOfPane(entry.key);
                pane.stored(seq);
                maxSeq = Math.max(maxSeq, seq);
                PaneJournal.replay(entry.value, monitor.config.name(), series -> pane.series.computeIfAbsent(series,
                        s -> new OpenPane(s, new PaneCounts(counters))).counts);
            }
        }
        monitor.volumeKeys.clear();
        monitor.volumeCompactionDue = false;
        monitor.volumeStaged.clear();
        monitor.volumeReady.clear();
        monitor.volumeReplaced.clear();
        final List<byte[]> journal = new ArrayList<>();
        long journalBytes = 0;
        try (KeyValueIterator<String, byte[]> it = monitor.volume.all()) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> entry = it.next();
                monitor.volumeKeys.add(entry.key);
                if (VolumeJournal.isJournalKey(entry.key)) {
                    journal.add(entry.value);
                    journalBytes += entry.value.length;
                    maxSeq = Math.max(maxSeq, VolumeJournal.seqOf(entry.key));
                } else {
                    // The first layout: a series' whole history, replaced by the journal at the next commit.
                    monitor.expected.put(entry.key, VolumeHistory.decode(entry.value));
                    monitor.volumeCompactionDue = true;
                }
            }
        }
        // After the first layout's values, whose keys sort after the journal's.
        for (final byte[] value : journal) {
            VolumeJournal.replay(value, monitor.expected, monitor.advance, volumeCapacity(monitor));
        }
        monitor.volumeSinceCompaction = 0;
        monitor.volumeCompactionBytes = journalBytes;
        return maxSeq;
    }

    /**
     * Writes what changed on the heap since the last commit to the stores: called by the
     * {@link CommitHook} before each commit of the task, so the commit covers it.
     */
    private void persist() {
        // Under at-least-once the task's writes are not atomic: the events of a window, the
        // stores' changelog records and the input offsets go to different partitions, and a kill
        // during a commit's producer flush can keep any subset of what was sent since the
        // previous commit. When this runs, the previous commit has completed: everything sent
        // before it is durable. So what a window's close changes is written only once what it
        // depends on is durable (PaneJournalRestoreTest models the cut flush):
        // - the volume store's changes (the expected series, their histories) one commit late,
        //   once the events of the windows they record are durable (else a kill could keep a
        //   series forgotten and lose its no-data events);
        // - the closed-until time two commits late, once the volume changes of the windows it
        //   covers are durable (else a restored task would not expect a series in windows after it);
        // - an expired pane's values (its last changes written too) deleted three commits after
        //   it expired, once the closed-until time covering it is durable (else a kill could keep
        //   the deletions, reopen the window with the replayed records alone and emit it again with
        //   fewer counts), and a compacted pane's old values one commit after the values replacing them;
        // - the stream time and the input partitions' event times one commit late: ahead of the
        //   records read again, they would close their windows before those arrive;
        // - past windows (previous, last-n references) kept for every window a restart could close again (expireHistory).
        // A restarted task then finds every window not marked emitted with its panes, counts the
        // replayed records into them and emits it again with at least the counts it had; panes of
        // windows marked emitted it loads and drops at the next close (outside every later window).
        // Exactly-once commits everything in one transaction: current values, deleted at once.
        final long time = atLeastOnce ? streamTimeAtCommit : streamTime;
        streamTimeAtCommit = streamTime;
        if (time != storedStreamTime) {
            meta.put(STREAM_TIME, time);
            storedStreamTime = time;
        }
        for (final MonitorState monitor : ordered) {
            // The values a compaction replaced at the previous commit (at-least-once).
            monitor.replaced.forEach(monitor.panesStore::delete);
            monitor.replaced.clear();
            for (final Pane pane : monitor.dirty) {
                if (!pane.expired && pane.storedCount >= pane.compacted + COMPACT_AFTER) {
                    // Values of whole summaries replace the pane's journal.
                    final int stored = pane.storedCount;
                    final List<OpenPane> all = new ArrayList<>(pane.series.values());
                    all.sort(BY_SERIES);
                    for (final OpenPane open : all) {
                        monitor.journal.whole(open.series, open.counts);
                        open.dirty = false;
                        writeIfFull(monitor, pane);
                    }
                    for (int i = 0; i < stored; i++) {
                        final Bytes old = StoreKeys.paneKey(pane.start, pane.stored[i]);
                        if (atLeastOnce) {
                            monitor.replaced.add(old);
                        } else {
                            monitor.panesStore.delete(old);
                        }
                    }
                    pane.stored = java.util.Arrays.copyOfRange(pane.stored, stored, Math.max(stored + 4, pane.stored.length));
                    pane.storedCount -= stored;
                    write(monitor, pane);
                    pane.compacted = pane.storedCount;
                } else if (!pane.expired || atLeastOnce) {
                    pane.dirty.sort(BY_SERIES);
                    for (final OpenPane open : pane.dirty) {
                        monitor.journal.changes(open.series, open.counts);
                        open.dirty = false;
                        writeIfFull(monitor, pane);
                    }
                    write(monitor, pane);
                }
                pane.dirty.clear();
            }
            monitor.dirty.clear();
            monitor.expiredBefore.addLast(monitor.expired);
            monitor.expired = new ArrayList<>();
            while (monitor.expiredBefore.size() > deleteLag) {
                for (final Bytes key : monitor.expiredBefore.removeFirst()) {
                    monitor.panesStore.delete(key);
                }
            }
            persistVolume(monitor);
            persistSourceTimes(monitor);
            final long watermark = monitor.watermark.value();
            if (watermark != InputWatermark.NONE) {
                metrics.watermark(monitor.config.name(), watermark,
                        Math.max(0, monitor.watermark.largest() - watermark));
            }
            monitor.closedUntilDurable = monitor.storedClosedUntil;
            final long closed = atLeastOnce ? monitor.closedUntilTwoCommitsAgo : monitor.closedUntil;
            monitor.closedUntilTwoCommitsAgo = monitor.closedUntilAtCommit;
            monitor.closedUntilAtCommit = monitor.closedUntil;
            if (closed != monitor.storedClosedUntil) {
                meta.put(CLOSED_PREFIX + monitor.config.name(), closed);
                monitor.storedClosedUntil = closed;
            }
        }
    }

    /**
     * Writes what changed in the monitor's expected series since the last commit to the volume
     * store, as one journal value (or more, when large), and compacts the journal when due.
     */
    private void persistVolume(final MonitorState monitor) {
        // At-least-once (see persist): the values of the previous commit's changes go out now,
        // once that commit's events are durable; those of this commit's wait for the next.
        monitor.volumeReady.forEach(value -> putVolume(monitor, value));
        monitor.volumeReady.clear();
        while (monitor.volumeReplaced.size() >= 2) {
            monitor.volumeReplaced.removeFirst().forEach(monitor.volume::delete);
        }
        final List<String> replaced = new ArrayList<>();
        if (monitor.expected.isEmpty()) {
            // Nothing expected: nothing to hold.
            monitor.volumeJournal.finish();
            monitor.volumeStaged.clear();
            replaced.addAll(monitor.volumeKeys);
            monitor.volumeKeys.clear();
            monitor.volumeSinceCompaction = 0;
            monitor.volumeCompactionDue = false;
        } else {
            writeVolume(monitor);
            final long compaction = Math.max(monitor.volumeCompactionBytes, (long) MIN_HISTORY_BYTES * monitor.expected.size());
            if (monitor.volumeCompactionDue || monitor.volumeSinceCompaction
                    > Math.max(VOLUME_COMPACTION_RATIO * compaction, MIN_VOLUME_COMPACTION_BYTES)) {
                replaced.addAll(monitor.volumeKeys);
                monitor.volumeKeys.clear();
                // This commit's changes are in the whole values.
                monitor.volumeStaged.clear();
                long bytes = 0;
                monitor.volumeJournal.clear();
                for (final Map.Entry<String, VolumeHistory> entry : monitor.expected.entrySet()) {
                    monitor.volumeJournal.set(entry.getKey(), entry.getValue());
                    if (monitor.volumeJournal.isFull()) {
                        bytes += writeVolume(monitor);
                    }
                }
                bytes += writeVolume(monitor);
                monitor.volumeCompactionBytes = bytes;
                monitor.volumeSinceCompaction = 0;
                monitor.volumeCompactionDue = false;
            }
        }
        if (atLeastOnce) {
            // Written at the next commit; the keys they replace deleted at the one after.
            monitor.volumeReady.addAll(monitor.volumeStaged);
            monitor.volumeStaged.clear();
            monitor.volumeReplaced.addLast(replaced);
        } else {
            replaced.forEach(monitor.volume::delete);
        }
    }

    /**
     * Finishes the volume journal's value being built, if any: written under the next sequence
     * number at once, or under at-least-once staged for the next commit. Returns its bytes.
     */
    private long writeVolume(final MonitorState monitor) {
        if (monitor.volumeJournal.isEmpty()) {
            return 0;
        }
        final byte[] value = monitor.volumeJournal.finish();
        if (atLeastOnce) {
            monitor.volumeStaged.add(value);
        } else {
            putVolume(monitor, value);
        }
        monitor.volumeSinceCompaction += value.length;
        return value.length;
    }

    private void putVolume(final MonitorState monitor, final byte[] value) {
        final String key = VolumeJournal.key(nextSeq++);
        monitor.volume.put(key, value);
        monitor.volumeKeys.add(key);
    }

    /** The counts a series' volume history keeps: {@code volume.windows} sizes of windows, one per advance. */
    private int volumeCapacity(final MonitorState monitor) {
        return liveness.volumeWindows() * (int) (monitor.size / monitor.advance);
    }

    /** Writes the pane's value being built, if it reached its size bound, so the rest goes into the next. */
    private void writeIfFull(final MonitorState monitor, final Pane pane) {
        if (monitor.journal.isFull()) {
            write(monitor, pane);
        }
    }

    /** Writes the pane's value being built, if any, under the next sequence number. */
    private void write(final MonitorState monitor, final Pane pane) {
        if (!monitor.journal.isEmpty()) {
            final long seq = nextSeq++;
            final Bytes key = StoreKeys.paneKey(pane.start, seq);
            monitor.panesStore.put(key, monitor.journal.finish());
            pane.stored(seq);
            if (pane.expired) {
                // At-least-once writes an expired pane's last changes too (persist); deleted with its other values.
                monitor.expired.add(key);
            }
        }
    }

    /** Emits every window of a monitor that its watermark has closed, oldest first, only windows with data. */
    private void closeWindows(final MonitorState monitor) {
        final long watermark = monitor.watermark.value();
        if (watermark == InputWatermark.NONE) {
            return;
        }
        final long closable = Math.floorDiv(watermark - monitor.grace, monitor.advance) * monitor.advance;
        if (closable <= monitor.closedUntil) {
            return;
        }
        while (true) {
            final long end;
            if (monitor.closedUntil >= monitor.size && !monitor.expected.isEmpty()) {
                // Some series is expected: every window closes in turn, with data or not. (Under
                // at-least-once the closed-until time restored can be one commit older than the
                // expected series, even from before the first window: then the panes decide.)
                end = monitor.closedUntil + monitor.advance;
            } else {
                if (monitor.panes.isEmpty()) {
                    break;
                }
                final long firstPane = monitor.panes.firstKey();
                // The first unclosed window that holds the oldest pane: earlier windows are empty or emitted.
                end = monitor.closedUntil == Long.MIN_VALUE ? Math.max(firstPane + monitor.advance, monitor.size)
                        : Math.max(Math.max(firstPane + monitor.advance, monitor.size), monitor.closedUntil + monitor.advance);
            }
            if (end > closable) {
                break;
            }
            emitWindow(monitor, end - monitor.size, end);
            monitor.closedUntil = end;
            expirePanes(monitor, end - monitor.size);
        }
        monitor.closedUntil = closable;
    }

    /** Drops every pane at or before {@code lastDeadPane} from the heap: all windows containing them have closed. */
    private static void expirePanes(final MonitorState monitor, final long lastDeadPane) {
        final SortedMap<Long, Pane> dead = monitor.panes.headMap(lastDeadPane, true);
        for (final Pane pane : dead.values()) {
            pane.expired = true;
            monitor.seriesPerPane = pane.series.size();
            for (int i = 0; i < pane.storedCount; i++) {
                monitor.expired.add(StoreKeys.paneKey(pane.start, pane.stored[i]));
            }
        }
        dead.clear();
    }

    /** Emits the window {@code [start, end)}. */
    private void emitWindow(final MonitorState monitor, final long start, final long end) {
        // Merged in a hash map, then sorted once (a sorted map compared ids at every pane's
        // series, 8% of the window task on hopping windows): the emission order, by series id, is
        // part of the deterministic output.
        final Map<String, CategoryFold.Merger> window = new HashMap<>(Math.max(16, monitor.expected.size() * 4 / 3 + 1));
        for (final Pane pane : monitor.panes.subMap(start, true, end - monitor.advance, true).values()) {
            for (final OpenPane open : pane.series.values()) {
                window.computeIfAbsent(open.series, s -> new CategoryFold.Merger()).pane(open.counts);
            }
        }
        // The series expected in the window take part with no count: each gets a no-data event or is forgotten.
        for (final String series : monitor.expected.keySet()) {
            window.computeIfAbsent(series, s -> new CategoryFold.Merger());
        }
        final List<Map.Entry<String, CategoryFold.Merger>> sorted = new ArrayList<>(window.entrySet());
        sorted.sort(Map.Entry.comparingByKey());
        final List<io.divergent.avro.DivergenceEvent> events = new ArrayList<>(window.size());
        for (final Map.Entry<String, CategoryFold.Merger> entry : sorted) {
            final String series = entry.getKey();
            final CategoryFold.Window folded = entry.getValue().fold(maxCategories);
            final VolumeHistory volume = monitor.expected.get(series);
            if (folded.total() == 0) {
                // No event (or only the legacy slot counter of an old store).
                if (volume == null) {
                    continue;
                }
                if ((end - volume.lastSeen()) / monitor.advance > liveness.horizonWindows()) {
                    forget(monitor, series);
                    continue;
                }
                if (monitor.history != null) {
                    expireHistory(monitor, series, start);
                }
                final io.divergent.avro.DivergenceEvent silent = monitor.events.noData(series, start, end);
                volume(monitor, series, volume, silent, start, end, 0);
                events.add(silent);
                metrics.noData(monitor.config.name());
                continue;
            }
            final Histogram observed = folded.observed();
            final EventFactory.Baseline baseline = monitor.config.referenceMode() == ReferenceMode.TOPIC
                    ? topicReference(series, end)
                    : pastWindows(monitor, series, start, observed);
            final CategoryFold.Reference reference = baseline == null ? null
                    : CategoryFold.foldReference(baseline.histogram(), folded.kept());
            final io.divergent.avro.DivergenceEvent event = monitor.events.create(series, start, end, observed,
                    folded.total(), folded.other(), baseline == null ? null : baseline.withHistogram(reference.histogram()),
                    new EventFactory.Folding(folded.folded(), folded.keptCountError(),
                            reference == null ? 0 : reference.folded(), reference == null ? 0 : reference.foldedWeight()));
            volume(monitor, series, volume, event, start, end, folded.total());
            events.add(event);
        }
        if (!events.isEmpty()) {
            context.forward(new Record<>(monitor.config.name(), new Emitted.Window(monitor.config.name(), end, events),
                    end - 1));
        }
    }

    /** The series' reference version in force for a window ending at {@code end}, or null ({@link ReferenceLookup}). */
    private EventFactory.Baseline topicReference(final String series, final long end) {
        final ReferenceLookup.Found found = references.inForce(series, end);
        return found.stored() == null ? null
                : EventFactory.Baseline.fromTopic(found.stored().histogram(), found.timestamp(), found.stored().kind());
    }

    /**
     * The series' own past: the previous non-overlapping window, or the last N merged. Stores
     * this window for the windows to come and forgets the ones no later window can use.
     */
    private EventFactory.Baseline pastWindows(final MonitorState monitor, final String series, final long start,
                                              final Histogram observed) {
        final int n = monitor.config.baselineWindows();
        Histogram merged = null;
        final List<Long> starts = new ArrayList<>();
        for (int k = n; k >= 1; k--) {
            final long pastStart = start - k * monitor.size;
            if (pastStart < 0) {
                continue;
            }
            final byte[] past = monitor.history.get(StoreKeys.versionKey(series, pastStart));
            if (past != null) {
                final Histogram histogram = HistogramCodec.decode(past).histogram();
                merged = merged == null ? histogram : merged.plus(histogram);
                starts.add(pastStart);
            }
        }
        monitor.history.put(StoreKeys.versionKey(series, start), HistogramCodec.encode(observed, null));
        expireHistory(monitor, series, start);
        return merged == null ? null : EventFactory.Baseline.fromPast(merged, monitor.config.referenceMode(), starts);
    }

    /**
     * Deletes the past windows of a series that no window after the one starting at {@code start}
     * can use, nor (under at-least-once) a window a restarted task could close again: one after
     * the closed-until time a restart surely finds.
     */
    private void expireHistory(final MonitorState monitor, final String series, final long start) {
        // The next window starts at start + advance and looks back at most n sizes.
        long next = start + monitor.advance;
        if (atLeastOnce) {
            if (monitor.closedUntilDurable == Long.MIN_VALUE) {
                return;   // A restart would close every window again.
            }
            next = Math.min(next, monitor.closedUntilDurable + monitor.advance - monitor.size);
        }
        final long firstUseful = next - monitor.config.baselineWindows() * monitor.size;
        if (firstUseful > 0) {
            deleteRange(monitor.history, StoreKeys.versionKey(series, 0), StoreKeys.versionKey(series, firstUseful - 1));
        }
    }

    /** Forgets a series silent past the horizon: its volume and past-window history. */
    private void forget(final MonitorState monitor, final String series) {
        monitor.volumeJournal.forget(series);
        if (monitor.volumeJournal.isFull()) {
            writeVolume(monitor);
        }
        monitor.expected.remove(series);
        if (monitor.history != null) {
            deleteRange(monitor.history, StoreKeys.versionKey(series, 0), StoreKeys.versionKey(series, Long.MAX_VALUE));
        }
    }

    /**
     * Sets an event's volume fields from the series' history (null: its first window) and appends
     * the window's count to that history.
     */
    private void volume(final MonitorState monitor, final String series, final VolumeHistory history,
                        final DivergenceEvent event, final long start, final long end, final long count) {
        final VolumeHistory next;
        if (history == null) {
            next = VolumeHistory.first(end, count);
        } else {
            final VolumeHistory.Baseline baseline = history.baseline(end, monitor.size, monitor.advance,
                    liveness.volumeWindows());
            if (baseline.windows() > 0) {
                event.setExpectedTotal(VolumeTest.expected(baseline.sum(), baseline.windows()));
                event.setVolumeBaselineWindows(baseline.windows());
                event.setVolumePValue(VolumeTest.pValue(count, baseline.sum(), baseline.windows()));
            }
            next = history.append(end, monitor.advance, count, volumeCapacity(monitor));
        }
        // As VolumeJournal.replay rebuilds it.
        monitor.volumeJournal.append(series, end, count);
        if (monitor.volumeJournal.isFull()) {
            writeVolume(monitor);
        }
        monitor.expected.put(series, next);
    }

    private static void deleteRange(final KeyValueStore<Bytes, byte[]> store, final Bytes from, final Bytes to) {
        if (from.compareTo(to) > 0) {
            return;
        }
        final List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.range(from, to)) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        for (final Bytes key : keys) {
            store.delete(key);
        }
    }

    /** Dead-letters an observation (late or future): key series id, value category; see {@link DeadLetter}. */
    private void reject(final String series, final Observation observation, final long recordTimestamp,
                        final MonitorState monitor, final DeadLetter.Kind kind, final String reason) {
        // The observation's record timestamp is the source record's (ObserveProcessor keeps it).
        final DeadLetter dead = new DeadLetter(kind, reason, monitor.config.name(), monitor.config.inputTopic(),
                observation.sourcePartition(), observation.sourceOffset(), recordTimestamp,
                series.getBytes(StandardCharsets.UTF_8), observation.category().getBytes(StandardCharsets.UTF_8));
        final RecordHeaders eventTime = new RecordHeaders();
        eventTime.add(DeadLetter.EVENT_TIME, Long.toString(observation.eventTime()).getBytes(StandardCharsets.UTF_8));
        deadLetters.send(dead, series, new RecordHeaders(), eventTime);
    }
}
