package io.divergent.math;

/** How a family of p-values is corrected for multiple testing (stub: replaced by the math branch). */
public enum Correction { NONE, BONFERRONI, BENJAMINI_HOCHBERG }
