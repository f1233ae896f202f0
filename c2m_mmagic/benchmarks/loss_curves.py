"""Two training runs' loss curves compared (e.g. ``--amp`` against fp32):
window means and their largest relative difference."""
import numpy as np

from ..apis.runs import latest_scalars


def loss_curve(work_dir: str, key: str) -> np.ndarray:
    """The logged ``key`` by iteration of the latest run in ``work_dir``."""
    path, records = latest_scalars(work_dir)
    values = [r[key] for r in records if key in r]
    if not values:
        raise ValueError(f'{path} logs no {key!r}')
    return np.asarray(values, dtype=np.float64)


def compare(a: np.ndarray, b: np.ndarray, window: int) -> dict:
    """Window means of both curves and their largest relative difference."""
    steps = min(len(a), len(b))
    window = max(1, min(window, steps))
    means = [(a[i:i + window].mean(), b[i:i + window].mean())
             for i in range(0, steps - window + 1, window)]
    diffs = [abs(y - x) / max(abs(x), 1e-12) for x, y in means]
    return dict(
        steps=steps,
        window=window,
        first=[x for x, _ in means],
        second=[y for _, y in means],
        max_relative_difference=float(max(diffs)))


def compare_runs(first: str, second: str, key: str = 'loss_pix',
                 window: int = 20, tolerance: float = 0.05) -> dict:
    """:func:`compare` of the ``key`` curves of two work dirs, ``ok`` when
    the largest relative difference stays within ``tolerance``."""
    result = compare(loss_curve(first, key), loss_curve(second, key), window)
    result.update(key=key, tolerance=tolerance,
                  ok=result['max_relative_difference'] <= tolerance)
    return result
