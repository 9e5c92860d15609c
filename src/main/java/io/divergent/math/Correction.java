package io.divergent.math;

/**
 * How the p-values of a family of tests (all of a monitor's series for one window) are
 * corrected together: see {@link MultipleTesting#adjust(double[], Correction)}.
 */
public enum Correction {
    /** No correction: each adjusted p-value is its raw p-value. */
    NONE,
    /**
     * Bonferroni: {@code min(1, m p)}. Controls the family-wise error rate (the chance of any
     * false rejection) at the level, under any dependence between the tests.
     */
    BONFERRONI,
    /**
     * Benjamini-Hochberg step-up: controls the false discovery rate (the expected share of false
     * rejections among the rejections) at the level, for independent or positively dependent
     * tests. Less conservative than Bonferroni when several series drift.
     */
    BENJAMINI_HOCHBERG
}
