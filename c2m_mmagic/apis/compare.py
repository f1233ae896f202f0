"""Several models tested on the same Ref-SR folder, side by side: each
keeps its own config (model, pipeline, pre-processing); only the data folder
and the metrics (Y-channel PSNR/SSIM, 4-pixel crop) are shared."""
import argparse
import os.path as osp
from typing import List

import mmengine
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.hub import get_config
from mmengine.runner import Runner

from ..evaluation import numeric_metrics, to_markdown
from ..utils import atomic_backend_args, weights_only_globals, write_text


class MetricsCollector(Hook):
    """Keeps the metrics of the last test (mmagic's MultiTestLoop returns
    none)."""

    def __init__(self) -> None:
        self.metrics = {}

    def after_test_epoch(self, runner, metrics=None) -> None:
        self.metrics = dict(metrics or {})


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


def test_metrics(cfg: Config, hooks=()) -> dict:
    """Tests ``cfg`` (from :func:`model_config`) with mmengine's Runner, as
    ``tools/test.py`` does, with ``hooks`` added; its metrics by name
    ('PSNR', 'SSIM')."""
    runner = Runner.from_cfg(cfg)
    collector = MetricsCollector()
    runner.register_hook(collector, 'LOWEST')
    for hook in hooks:
        runner.register_hook(hook)
    with weights_only_globals():
        runner.test()
    return {
        k.rpartition('/')[2]: v
        for k, v in numeric_metrics(collector.metrics).items()
    }


def compare_models(specs: List[list], data_root: str, ref_level: int,
                   out_dir: str) -> str:
    """Tests every model of ``specs`` (NAME CONFIG CHECKPOINT [KEY=VALUE
    ...] each) on ``data_root`` (CUFED5 layout, references of
    ``ref_level``); writes compare.md and compare.json to ``out_dir`` and
    returns the Markdown table (rows: models)."""
    if not osp.isdir(data_root):
        raise FileNotFoundError(f'--data-root not found: {data_root}')
    table = {
        spec[0]: test_metrics(model_config(spec, data_root, ref_level,
                                           out_dir))
        for spec in specs
    }
    title = f'{osp.basename(osp.normpath(data_root))} ' \
            f'(reference level {ref_level})'
    markdown = to_markdown(table, title, first_column='model')
    write_text(markdown, osp.join(out_dir, 'compare.md'))
    mmengine.dump(
        dict(data=title, results=table),
        osp.join(out_dir, 'compare.json'),
        indent=2,
        backend_args=atomic_backend_args())
    return markdown
