"""Test a c2m_mmagic (or any mmagic) model with mmengine's Runner.

Example:
    python tools/test.py configs/c2matching_cufed.py c2matching.pth \
        --save-sr work_dirs/sr
"""
import argparse
import os.path as osp

from cli_helpers import add_runner_arguments, fail, runner_config
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
    add_runner_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = runner_config(args)
    cfg.load_from = args.checkpoint
    if args.save_sr:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='SaveSRHook', out_dir=args.save_sr)
        ]
    if args.out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(
            dict(type='DumpResults', out_file_path=args.out))
    runner = Runner.from_cfg(cfg)
    try:
        with weights_only_globals():
            runner.test()
    except CheckpointMismatchError as err:
        raise CheckpointMismatchError(f'{args.checkpoint}: {err}') from None


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, KeyError) as err:
        fail(err)
