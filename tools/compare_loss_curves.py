"""Compare the loss curves of two training runs (e.g. --amp against fp32).

Reads each work dir's latest ``vis_data/scalars.json``, averages the loss in
windows of ``--window`` iterations and reports the largest relative
difference between the two curves; ``ok`` when it stays within
``--tolerance``.

Example:
    python tools/compare_loss_curves.py work_dirs/fp32 work_dirs/amp \
        --key loss_pix --json amp.json
"""
import argparse
import json

import numpy as np
from cli_helpers import fail, latest_scalars

from c2m_mmagic.utils import write_text


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('first', help='work dir of the baseline run')
    parser.add_argument('second', help='work dir of the compared run')
    parser.add_argument('--key', default='loss_pix')
    parser.add_argument('--window', type=int, default=20)
    parser.add_argument('--tolerance', type=float, default=0.05)
    parser.add_argument('--json', required=True)
    args = parser.parse_args()
    result = compare(
        loss_curve(args.first, args.key), loss_curve(args.second, args.key),
        args.window)
    result.update(
        key=args.key,
        tolerance=args.tolerance,
        ok=result['max_relative_difference'] <= args.tolerance)
    text = json.dumps(result, indent=2)
    write_text(text, args.json)
    print(text)


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        fail(err)
