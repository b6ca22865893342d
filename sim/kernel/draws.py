"""Counts from uniforms in compiled code: Poisson inversion and systematic allocation.

The definitions are `sim.model.randomness.poisson_quantile` (the smallest count whose Poisson
distribution function reaches the uniform) and `systematic_allocation` (item j of n at position
(u + j) / n in the cumulative weights). tests/test_kernel_components.py checks both against
them.
"""

from __future__ import annotations

import math

from sim.kernel import jit

#: Above this mean exp(-mean) loses precision to underflow: sum the probabilities in log space.
_LOG_SPACE_RATE = 600.0


@jit
def poisson_quantile(u, rate):
    """A Poisson count with mean `rate` at the uniform `u`: the smallest k with P(X <= k) >= u
    (0 when the rate is not positive).

    The definition inverts with scipy's `pdtrik`; the two agree on every uniform but those
    within a few ulps of a distribution function's value or of 1 (measure ~1e-15), where
    rounding decides."""
    if not rate > 0.0:
        return 0
    # a bound far in the upper tail: the sum stops there even when rounding keeps it below u
    limit = int(rate + 40.0 * math.sqrt(rate) + 60.0)
    if rate < _LOG_SPACE_RATE:
        pmf = math.exp(-rate)
        cdf = pmf
        k = 0
        while cdf < u and k < limit:
            k += 1
            pmf *= rate / k
            if cdf + pmf == cdf and k > rate:  # past the mode the sum no longer grows: u is 1 to rounding
                break
            cdf += pmf
        return k
    log_rate = math.log(rate)
    k = 0
    cdf = math.exp(-rate)
    while cdf < u and k < limit:
        k += 1
        pmf = math.exp(k * log_rate - rate - math.lgamma(k + 1.0))
        if cdf + pmf == cdf and k > rate:
            break
        cdf += pmf
    return k


@jit
def systematic_allocation(total, cumulative, u, counts):
    """Split `total` items over categories with one uniform: counts[j] for the category whose
    cumulative normalised weight is cumulative[j] (the last is 1); each within one of
    total x weight."""
    counts[:] = 0
    m = cumulative.shape[0]
    if total <= 0 or m == 0:
        return
    allocated = 0
    for j in range(m):
        upto = int(math.ceil(cumulative[j] * total - u))
        if upto > total:
            upto = total
        elif upto < 0:
            upto = 0
        if upto > allocated:
            counts[j] = upto - allocated
            allocated = upto
    if allocated < total:  # rounding at the last boundary
        counts[m - 1] += total - allocated

