"""Evaluate several models on the same Ref-SR test folders, side by side.

Each model keeps its own config (model, pipeline, pre-processing); only the
data folder is shared. The result is one table (rows: models, columns:
dataset/metric) written as Markdown and JSON.

Example:
    python tools/compare.py --data-root data/CUFED5 --ref-level 1 \
        --model C2-Matching configs/c2matching_cufed.py c2m.pth \
        --model TTSR mmagic::ttsr/ttsr-gan_x4c64b16_1xb9-500k_CUFED.py ttsr.pth \
        --out-dir work_dirs/compare
"""
import argparse
import os.path as osp

import mmengine
from cli_helpers import fail
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.hub import get_config
from mmengine.runner import Runner

from c2m_mmagic.evaluation import numeric_metrics, to_markdown
from c2m_mmagic.utils import (atomic_backend_args, weights_only_globals,
                              write_text)


class MetricsCollector(Hook):
    """Keeps the metrics of the last test (mmagic's MultiTestLoop returns
    none)."""

    def __init__(self) -> None:
        self.metrics = {}

    def after_test_epoch(self, runner, metrics=None) -> None:
        self.metrics = dict(metrics or {})


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--model',
        nargs='+',
        action='append',
        required=True,
        metavar='NAME CONFIG CHECKPOINT [KEY=VALUE ...]',
        help='a model to compare: its name, config, checkpoint and optional '
        'config overrides; repeat for each model')
    parser.add_argument(
        '--data-root', required=True, help='CUFED5-layout test folder')
    parser.add_argument(
        '--ref-level', type=int, default=1, help='CUFED5 reference level')
    parser.add_argument(
        '--out-dir', default='work_dirs/compare', help='output folder')
    return parser.parse_args()


def read_config(name: str, config: str) -> Config:
    """A config file, or one shipped with a package (``mmagic::path``)."""
    if '::' in config:
        try:
            return get_config(config)
        except Exception as err:  # mmengine raises several kinds
            raise FileNotFoundError(
                f'--model {name}: config not found: {config} ({err})') from err
    if not osp.isfile(config):
        raise FileNotFoundError(f'--model {name}: config not found: {config}')
    return Config.fromfile(config)


def model_config(spec: list, data_root: str, ref_level: int,
                 work_dir: str) -> Config:
    """The model's own config, tested on the shared folder."""
    if len(spec) < 3:
        raise ValueError(f'--model needs NAME CONFIG CHECKPOINT, got {spec}')
    name, config, checkpoint, *overrides = spec
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'--model {name}: checkpoint not found: {checkpoint}')
    cfg = read_config(name, config)
    if overrides:
        parser = argparse.ArgumentParser(prog=f'--model {name}')
        parser.add_argument('overrides', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(overrides).overrides)
    loader = cfg.test_dataloader
    loader = loader[0] if isinstance(loader, (list, tuple)) else loader
    dataset = loader.dataset
    dataset.data_root = data_root
    dataset.ann_file = ''
    dataset.data_prefix = dict(gt='', ref='')
    dataset.filename_tmpl = dict(gt='{}_0', ref='{}_' + str(ref_level))
    cfg.test_dataloader = loader
    # the same metrics for every model: Y-channel PSNR/SSIM, 4-pixel crop
    cfg.test_evaluator = dict(
        type='Evaluator',
        metrics=[
            dict(type='PSNR', crop_border=4, convert_to='Y'),
            dict(type='SSIM', crop_border=4, convert_to='Y'),
        ])
    cfg.test_cfg = dict(type='MultiTestLoop')
    cfg.load_from = checkpoint
    cfg.work_dir = osp.join(work_dir, name)
    cfg.custom_hooks = [
        h for h in cfg.get('custom_hooks', [])
        if h.get('type') not in ('BasicVisualizationHook', 'ResultsTableHook')
    ]
    cfg.setdefault('custom_imports',
                   dict(imports=['c2m_mmagic'], allow_failed_imports=False))
    return cfg


def main() -> None:
    args = parse_args()
    if not osp.isdir(args.data_root):
        raise FileNotFoundError(f'--data-root not found: {args.data_root}')
    table = {}
    for spec in args.model:
        cfg = model_config(spec, args.data_root, args.ref_level, args.out_dir)
        runner = Runner.from_cfg(cfg)
        collector = MetricsCollector()
        runner.register_hook(collector, 'LOWEST')
        with weights_only_globals():
            runner.test()
        table[spec[0]] = {
            k.rpartition('/')[2]: v
            for k, v in numeric_metrics(collector.metrics).items()
        }
    title = f'{osp.basename(osp.normpath(args.data_root))} ' \
            f'(reference level {args.ref_level})'
    markdown = to_markdown(table, title, first_column='model')
    write_text(markdown, osp.join(args.out_dir, 'compare.md'))
    mmengine.dump(
        dict(data=title, results=table),
        osp.join(args.out_dir, 'compare.json'),
        indent=2,
        backend_args=atomic_backend_args())
    print(markdown)


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        fail(err)
