"""Results tables: metrics grouped by data set, as Markdown and CSV (the
test hooks and the reporting tools write them)."""
import csv
import io
import numbers
from collections import OrderedDict
from typing import Dict, List, Optional


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
