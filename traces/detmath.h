/*
 * traces/detmath.h — deterministic log/exp for the generators (internal).
 * libm's log/exp/pow may differ in the last bit between C libraries and
 * versions; these use only IEEE-754 +, -, *, / and the exact frexp/ldexp/
 * floor, so a given input gives the same double on every IEEE-754 machine
 * (traces/ is compiled with -ffp-contract=off so no FMA changes rounding;
 * x87 extended precision, e.g. 32-bit x86 without SSE2, is not supported).
 * Accuracy: a few ulp, plenty for sampling; determinism is the point.
 */
#ifndef TRACES_DETMATH_H
#define TRACES_DETMATH_H

double dm_log(double x);   /* natural log, x > 0 finite */
double dm_log1p(double x); /* log(1 + x), x > -1 */
double dm_exp(double x);   /* e^x */
double dm_expm1(double x); /* e^x - 1 */

#endif /* TRACES_DETMATH_H */
