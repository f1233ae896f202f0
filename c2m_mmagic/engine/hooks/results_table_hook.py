"""Test results per data set and per image, beside bicubic upsampling."""
import os.path as osp
from collections import OrderedDict
from typing import List, Optional

import mmengine
import numpy as np
from mmengine.dist import all_gather_object, is_main_process
from mmengine.hooks import Hook

from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.evaluation.metrics.metrics_utils import obtain_data
from mmagic.registry import HOOKS
from ...structures import crop_to_unpadded, reference_names
from ...utils import atomic_backend_args, write_text
from ...evaluation.results_table import metrics_table, to_csv, to_markdown
from .loop_context import current_dataset_name, current_evaluator

BASELINE = 'bicubic'


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
                bicubic = crop_to_unpadded(sample.img_lq.flip(0).float(),
                                           sample)
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
