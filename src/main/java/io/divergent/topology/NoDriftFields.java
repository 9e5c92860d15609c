package io.divergent.topology;

import io.divergent.avro.NoDriftCalibration;
import io.divergent.avro.NoDriftMethod;
import io.divergent.avro.NoDriftValue;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import io.divergent.math.NoDrift;
import io.divergent.math.NoDriftCalibrator;
import io.divergent.math.Unit;

/**
 * The event's {@code no_drift} field: the window's distances calibrated against no drift by
 * {@link NoDriftCalibrator}. The baseline is a fixed distribution or a sample of its raw total as
 * the G-test takes it: previous and last-n baselines are samples; a topic reference is what its
 * {@code weights_kind} declares. Seeded (see {@link #monitorSeed}) so that a replay writes the same numbers.
 */
final class NoDriftFields {

    /** The schema's symbol of each method, by ordinal (as {@link EventFactory#DIRECTION}). */
    static final NoDriftMethod[] METHOD = EventFactory.symbols(NoDrift.Method.values(), NoDriftMethod.class);

    private NoDriftFields() {
    }

    /**
     * @param monitorSeed {@link #monitorSeed} of the series' monitor
     * @return the calibration, or null when the window or the baseline has no weight (nothing to
     *         compare: possible only with smoothing, which computes the measures anyway)
     */
    static NoDriftCalibration of(final String series, final long windowStart, final Histogram observed,
                                 final EventFactory.Baseline baseline, final double alpha, final Unit unit,
                                 final long monitorSeed) {
        if (observed.total() == 0 || baseline.histogram().total() == 0) {
            return null;
        }
        final NoDrift c = NoDriftCalibrator.instance().calibrate(observed, baseline.histogram(), baseline.weights(), alpha, unit,
                baseline.weights() == BaselineKind.FIXED ? monitorSeed : NoDriftCalibrator.seed(series, windowStart));
        // Without Avro's builder, as the event (EventFactory#blank): every field is set.
        final NoDriftCalibration calibration = new NoDriftCalibration();
        calibration.setBaselineSampleSize(c.fixedBaseline() ? null : c.baselineTotal());
        calibration.setCategories(c.categories());
        calibration.setReplicates(c.replicates());
        calibration.setJsDivergence(value(c.jsDivergence()));
        calibration.setJsDistance(value(c.jsDistance()));
        calibration.setHellinger(value(c.hellinger()));
        calibration.setTotalVariation(value(c.totalVariation()));
        calibration.setLInfinity(value(c.lInfinity()));
        return calibration;
    }

    /**
     * The seed of a monitor's windows against a fixed baseline. There the null model repeats (the
     * same reference, N and categories), so the seed is the monitor's and those windows share one
     * simulation, which the calibrator keeps; against a sample baseline the null model changes every
     * window (it pools the window's counts), so the seed is the series' and the window's, keeping
     * the simulations independent.
     */
    static long monitorSeed(final String monitor) {
        return NoDriftCalibrator.seed(monitor, 0);
    }

    private static NoDriftValue value(final NoDrift.Value v) {
        return new NoDriftValue(v.observed(), v.expected(), v.pValue(), METHOD[v.method().ordinal()]);
    }
}
