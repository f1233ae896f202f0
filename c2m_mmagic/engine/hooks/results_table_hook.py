"""Test results per data set and per image, beside bicubic upsampling."""
import csv
import io
import numbers
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

import mmengine
import numpy as np
from mmengine.dist import all_gather_object, is_main_process
from mmengine.hooks import Hook

from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.evaluation.metrics.metrics_utils import obtain_data
from mmagic.registry import HOOKS
from ...utils import atomic_backend_args, write_text
from .test_outputs import (current_dataset_name, current_evaluator,
                           reference_names)

BASELINE = 'bicubic'


def numeric_metrics(metrics: dict) -> Dict[str, float]:
    """The metrics that are numbers (Python's or numpy's: with numpy 2,
    mmagic's PSNR is a numpy.float32), as floats."""
    return {
        k: float(v)
        for k, v in metrics.items()
        if isinstance(v, numbers.Real) and not isinstance(v, bool)
    }


def metrics_table(metrics: Dict[str, float]) -> 'OrderedDict[str, dict]':
    """Groups the numeric ``{'CUFED5-L1/PSNR': v, ...}`` into
    ``{dataset: {metric: v}}``.

    Keys without a ``dataset/`` prefix go to the row 'test'.
    """
    table: 'OrderedDict[str, dict]' = OrderedDict()
    for key, value in numeric_metrics(metrics).items():
        dataset, _, metric = key.rpartition('/')
        table.setdefault(dataset or 'test', OrderedDict())[metric] = value
    return table


def to_markdown(table: Dict[str, dict],
                title: Optional[str] = None,
                first_column: str = 'dataset') -> str:
    """Renders ``{row: {column: value}}`` as a Markdown table."""
    columns = []
    for row in table.values():
        columns += [c for c in row if c not in columns]
    lines = [f'## {title}', ''] if title else []
    lines.append(f'| {first_column} | ' + ' | '.join(columns) + ' |')
    lines.append('|---' * (len(columns) + 1) + '|')
    for name, row in table.items():
        cells = []
        for c in columns:
            v = row.get(c)
            cells.append('' if v is None else
                         f'{v:.4f}' if isinstance(v, float) else str(v))
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def to_csv(rows: List[dict]) -> str:
    """Rows of dicts as CSV text, columns in order of first appearance."""
    columns = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


@HOOKS.register_module()
class ResultsTableHook(Hook):
    """Writes ``results.md``, ``results.json`` and ``results.csv`` in the work
    dir after each test, and logs the table.

    Per data set (e.g. per CUFED5 level): the evaluator's metrics, the image
    count, and the same metrics of the bicubic-upsampled LR input (``img_lq``
    of the samples), the baseline every SR table carries. Per image (JSON and
    CSV): input and reference file, the model's and bicubic's value of every
    sample-wise metric, computed by the configured metric objects themselves
    (mmagic's PSNR/SSIM with their crop and channel settings).

    Args:
        filename (str): Base name of the files. Default: 'results'.
    """
    priority = 'LOW'

    def __init__(self, filename: str = 'results') -> None:
        self.filename = filename
        self._rows: List[dict] = []

    def before_test_epoch(self, runner) -> None:
        self._rows = []

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs=None) -> None:
        metrics = [
            m for m in current_evaluator(runner).metrics
            if isinstance(m, BaseSampleWiseMetric)
        ]
        dataset = current_dataset_name(runner)
        for sample in outputs or []:
            self._rows.append(self.image_row(sample, dataset, metrics))

    @staticmethod
    def image_row(sample, dataset: str, metrics: list) -> dict:
        """Metric values of one predicted sample and of its bicubic input."""
        data = sample.to_dict()
        refs = reference_names(sample)
        row = dict(
            dataset=dataset,
            input=osp.basename(sample.metainfo.get('gt_path', '')),
            reference='+'.join(refs),
            references=max(1, len(refs)))
        for metric in metrics:
            gt = obtain_data(data, metric.gt_key)
            pred = obtain_data(data['output'], metric.pred_key)
            row[metric.metric] = float(
                metric.process_image(gt, pred, pred * 0 + 1))
            if 'img_lq' in sample:
                # RGB as packed, possibly padded like the input: BGR, cropped
                bicubic = sample.img_lq.flip(0).float()
                bicubic = bicubic[..., :gt.shape[-2], :gt.shape[-1]]
                row[f'{BASELINE} {metric.metric}'] = float(
                    metric.process_image(gt, bicubic, bicubic * 0 + 1))
        return row

    @staticmethod
    def table(metrics: dict, rows: List[dict]) -> 'OrderedDict[str, dict]':
        """Per data set: image count, references per image, then each
        metric of the evaluator preceded by bicubic's mean of it."""
        by_set = metrics_table(metrics)
        table: 'OrderedDict[str, dict]' = OrderedDict()
        for name in dict.fromkeys([r['dataset'] for r in rows] + list(by_set)):
            own = [row for row in rows if row['dataset'] == name]
            entry = table.setdefault(name, OrderedDict())
            if own:
                entry['images'] = len(own)
                counts = sorted({row['references'] for row in own})
                entry['references'] = counts[0] if len(counts) == 1 else \
                    f'{counts[0]}-{counts[-1]}'
            for metric, value in by_set.get(name, {}).items():
                baseline = f'{BASELINE} {metric}'
                if own and baseline in own[0]:
                    entry[baseline] = float(
                        np.mean([r[baseline] for r in own]))
                entry[metric] = value
        return table

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        rows = [row for part in all_gather_object(self._rows) for row in part]
        if not is_main_process() or not (metrics or rows):
            return
        table = self.table(metrics or {}, rows)
        title = runner.experiment_name
        markdown = to_markdown(table, title)
        base = osp.join(runner.work_dir, self.filename)
        write_text(markdown, base + '.md')
        mmengine.dump(
            dict(experiment=title, results=table, images=rows),
            base + '.json',
            indent=2,
            backend_args=atomic_backend_args())
        write_text(to_csv(rows), base + '.csv')
        runner.logger.info(f'results table ({base}.md, .json, .csv; per '
                           f'image in .json and .csv):\n{markdown}')
