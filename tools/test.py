"""Test a c2m_mmagic (or any mmagic) model with mmengine's Runner.

Example:
    python tools/test.py configs/c2matching_cufed.py c2matching.pth \
        --save-sr work_dirs/sr
"""
import argparse
import os.path as osp
from typing import Optional

from cli_helpers import (add_precision_arguments, add_runner_arguments, fail,
                         precision_test_cfg, runner_config)
from mmengine.config import Config
from mmengine.runner import Runner

from c2m_mmagic.utils import CheckpointMismatchError, weights_only_globals


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--save-sr',
        metavar='DIR',
        help='write every SR output as DIR/<input file stem>.png (uint8 '
        'RGB, the values that were scored)')
    parser.add_argument(
        '--out', help='dump predictions and metrics to this pickle file')
    add_precision_arguments(parser)
    add_runner_arguments(parser)
    return parser.parse_args()


def test(cfg: Config,
         checkpoint: str,
         save_sr: Optional[str] = None,
         out: Optional[str] = None) -> None:
    """Tests ``checkpoint`` with mmengine's Runner; ``save_sr``: a folder for
    every SR output, ``out``: a pickle of predictions and metrics."""
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    cfg.load_from = checkpoint
    if save_sr:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='SaveSRHook', out_dir=save_sr)
        ]
    if out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(
            dict(type='DumpResults', out_file_path=out))
    runner = Runner.from_cfg(cfg)
    try:
        with weights_only_globals():
            runner.test()
    except CheckpointMismatchError as err:
        raise CheckpointMismatchError(f'{checkpoint}: {err}') from None


def main() -> None:
    args = parse_args()
    cfg = runner_config(args)
    cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {},
                              **precision_test_cfg(args))
    test(cfg, args.checkpoint, args.save_sr, args.out)


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, KeyError) as err:
        fail(err)
