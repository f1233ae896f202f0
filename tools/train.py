"""Train a c2m_mmagic (or any mmagic) model with mmengine's Runner.

Example:
    python tools/train.py configs/c2matching_cufed.py --work-dir work_dirs/x
"""
import argparse

from c2m_mmagic.apis import (USER_ERRORS, add_runner_arguments,
                             enable_amp_on_this_device, end_distributed,
                             parser_from_doc, run_tool, runner_config,
                             setup_launch, train)
from c2m_mmagic.engine import NonFiniteLossError


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    add_runner_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = runner_config(args.config, args.cfg_options, args.launcher,
                        args.work_dir, args.local_rank)
    if args.amp:
        enable_amp_on_this_device(cfg)
    if args.resume:
        cfg.resume = True
    setup_launch(cfg, args.launcher)
    train(cfg)
    end_distributed()


if __name__ == '__main__':
    run_tool(main, USER_ERRORS + (NonFiniteLossError, ))
