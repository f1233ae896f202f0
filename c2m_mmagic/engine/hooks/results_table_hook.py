"""Writes the test results as a per-dataset table (Markdown and JSON)."""
import json
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

from mmengine.hooks import Hook

from mmagic.registry import HOOKS
from ...utils import atomic_write


def metrics_table(metrics: Dict[str, float]) -> 'OrderedDict[str, dict]':
    """Groups ``{'CUFED5-L1/PSNR': v, ...}`` into ``{dataset: {metric: v}}``.

    Keys without a ``dataset/`` prefix go to the row 'test'.
    """
    table: 'OrderedDict[str, dict]' = OrderedDict()
    for key, value in metrics.items():
        dataset, _, metric = key.rpartition('/')
        table.setdefault(dataset or 'test', OrderedDict())[metric] = value
    return table


def to_markdown(table: Dict[str, dict], title: Optional[str] = None) -> str:
    """Renders ``{row: {column: value}}`` as a Markdown table."""
    columns = []
    for row in table.values():
        columns += [c for c in row if c not in columns]
    lines = [f'## {title}', ''] if title else []
    lines.append('| dataset | ' + ' | '.join(columns) + ' |')
    lines.append('|---' * (len(columns) + 1) + '|')
    for name, row in table.items():
        cells = []
        for c in columns:
            v = row.get(c)
            cells.append('' if v is None else
                         f'{v:.4f}' if isinstance(v, float) else str(v))
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def write_text_atomic(text: str, path: str) -> None:
    """Writes ``text`` to a temporary file beside ``path``, then renames."""
    atomic_write(path, lambda f: f.write(text), binary=False)


@HOOKS.register_module()
class ResultsTableHook(Hook):
    """At the end of each test, writes ``results.md`` and ``results.json``
    (one row per dataset, e.g. per CUFED5 level) in the work dir and logs
    the table.

    Args:
        filename (str): Base name of the two files. Default: 'results'.
    """
    priority = 'LOW'

    def __init__(self, filename: str = 'results') -> None:
        self.filename = filename

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if not metrics:
            return
        table = metrics_table(
            {k: float(v) for k, v in metrics.items()
             if isinstance(v, (int, float))})
        title = runner.experiment_name
        markdown = to_markdown(table, title)
        base = osp.join(runner.work_dir, self.filename)
        write_text_atomic(markdown, base + '.md')
        write_text_atomic(
            json.dumps(dict(experiment=title, results=table), indent=2),
            base + '.json')
        runner.logger.info(f'results table ({base}.md, {base}.json):\n'
                           f'{markdown}')
