"""Bounds for float32 results, derived from the computation they check.

float32 rounding depends on the kernels PyTorch and oneDNN pick for the CPU
at hand (AVX-512 on one machine, AVX2 on another), so a constant tolerance
tuned on one CPU fails on the next. A float32 result is instead compared with
its float64 reference within ``FACTOR`` times the error of an *independent
float32 evaluation of the same computation* (the reference walk itself run
in float32 beside it): the rounding that this depth, these magnitudes and
this machine's kernels give. A few float32 ulps of the largest value are the
floor, for computations whose float32 walk happens to be exact.
"""
from typing import Dict

import torch

EPS32 = torch.finfo(torch.float32).eps
# Two float32 evaluations of one computation by different kernels have
# errors of the same order; their maxima over many elements differ by a
# small factor.
FACTOR = 4.


def float32_bound(expected64: torch.Tensor,
                  *walks32: torch.Tensor,
                  factor: float = FACTOR) -> float:
    """``factor`` × the largest error of the float32 walks against the
    float64 reference, or of float32's resolution at its largest value."""
    expected64 = torch.as_tensor(expected64, dtype=torch.float64)
    error = max(
        float((torch.as_tensor(w).double() - expected64).abs().max())
        for w in walks32)
    floor = EPS32 * float(expected64.abs().max())
    return factor * max(error, floor)


def assert_float32_close(actual: torch.Tensor,
                         expected64: torch.Tensor,
                         *walks32: torch.Tensor,
                         factor: float = FACTOR,
                         what: str = 'float32 result') -> None:
    """Raises AssertionError when ``actual`` is farther from the float64
    reference than the bound :func:`float32_bound` derives."""
    expected64 = torch.as_tensor(expected64, dtype=torch.float64)
    actual = torch.as_tensor(actual).detach().double()
    assert actual.shape == expected64.shape, (what, actual.shape,
                                              expected64.shape)
    bound = float32_bound(expected64, *walks32, factor=factor)
    error = float((actual - expected64).abs().max())
    assert error <= bound, (
        f'{what}: largest difference to float64 {error:.3g} exceeds the '
        f'derived bound {bound:.3g} ({factor:g} x the error of the float32 '
        'walk)')


def assert_gradients_close(actual: Dict[str, torch.Tensor],
                           expected64: Dict[str, torch.Tensor],
                           walk32: Dict[str, torch.Tensor],
                           factor: float = FACTOR) -> None:
    """:func:`assert_float32_close` for each named gradient."""
    assert set(actual) == set(expected64) == set(walk32)
    for name in expected64:
        assert_float32_close(actual[name], expected64[name], walk32[name],
                             factor=factor, what=name)
