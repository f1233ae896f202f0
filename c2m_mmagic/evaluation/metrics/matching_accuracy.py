"""Matching accuracy of the contrastive stages."""
from typing import List, Sequence

import torch

from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.registry import METRICS


@METRICS.register_module()
class MatchingAccuracy(BaseSampleWiseMetric):
    """Share of valid points whose nearest reference descriptor lies within
    each threshold (L∞, feature pixels) of the ground-truth correspondence.

    Reads ``output.match_error`` from the predictions of
    :class:`ContrasTeacher` / :class:`ContrasStudent` (+inf marks points
    without a valid correspondence).

    Args:
        thresholds (Sequence[int]): Default: (1, 3).
        prefix (str): Metric name prefix. Default: 'match'.
    """
    metric = 'match'

    def __init__(self,
                 thresholds: Sequence[int] = (1, 3),
                 prefix: str = 'match') -> None:
        super().__init__(prefix=prefix)
        self.thresholds = tuple(thresholds)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            err = sample['output']['match_error']
            err = torch.as_tensor(err).flatten()
            valid = torch.isfinite(err)
            self.results.append(
                [int(valid.sum())] +
                [int((err[valid] <= t).sum()) for t in self.thresholds])

    def compute_metrics(self, results: List[list]) -> dict:
        totals = torch.tensor(results).sum(0).tolist()
        valid = max(totals[0], 1)
        out = {f'acc@{t}': hits / valid
               for t, hits in zip(self.thresholds, totals[1:])}
        out['valid_points'] = totals[0]
        return out
