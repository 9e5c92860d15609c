#!/usr/bin/env python3
"""Golden L-infinity values for every case of divergence-cases.jsonl (issue 13).

l_infinity = max_i |p_i - q_i| over the union of the K categories, with the smoothed
p_i = (P_i + alpha) / (N_P + alpha K) and q_i likewise, computed in exact rational
arithmetic (fractions.Fraction, inputs parsed from their decimal text) and rounded once to
the nearest double. Independent of the Java code: no floating point before the rounding.

Run from this folder: python3 l_infinity.py > l-infinity-cases.jsonl
"""
import json
import sys
from fractions import Fraction


def smoothed(weights, union, alpha):
    total = sum(weights.values(), Fraction(0)) + alpha * len(union)
    return {c: (weights.get(c, Fraction(0)) + alpha) / total for c in union}


def main():
    with open("divergence-cases.jsonl", encoding="utf-8") as cases:
        for line in cases:
            if not line.strip():
                continue
            case = json.loads(line, parse_float=Fraction, parse_int=Fraction)
            union = sorted(set(case["p"]) | set(case["q"]))
            alpha = Fraction(case["alpha"])
            p = smoothed(case["p"], union, alpha)
            q = smoothed(case["q"], union, alpha)
            l_inf = max(abs(p[c] - q[c]) for c in union)
            json.dump({"name": case["name"], "l_infinity": float(l_inf)}, sys.stdout)
            sys.stdout.write("\n")


if __name__ == "__main__":
    main()
