"""Test a c2m_mmagic (or any mmagic) model with mmengine's Runner.

Example:
    python tools/test.py configs/c2matching_cufed.py c2matching.pth
"""
import argparse
import os.path as osp
import sys

from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from c2m_mmagic.apis.cli import (add_runner_arguments, fail,  # noqa: E402
                                 runner_config)
from c2m_mmagic.apis.restorer import load_weights  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='dump predictions and metrics to this pickle file')
    add_runner_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = runner_config(args)
    if args.out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(
            dict(type='DumpResults', out_file_path=args.out))
    runner = Runner.from_cfg(cfg)
    # refuse a checkpoint of another model (mmengine would only warn)
    load_weights(runner.model, args.checkpoint)
    runner._has_loaded = True
    runner.logger.info(f'loaded {args.checkpoint}')
    runner.test()


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, KeyError) as err:
        fail(err)
