r"""Test a c2m_mmagic (or any mmagic) model with mmengine's Runner.

Example:
    python tools/test.py configs/c2matching_cufed.py c2matching.pth \
        --save-sr work_dirs/sr
"""
import argparse

from c2m_mmagic.apis import (add_runner_arguments, add_test_cfg_arguments,
                             args_test_cfg, parser_from_doc, run_tool,
                             runner_config, test)


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--save-sr',
        metavar='DIR',
        help='write every SR output as DIR/<input file stem>.png (uint8 '
        'RGB, the values that were scored)')
    parser.add_argument(
        '--out', help='dump predictions and metrics to this pickle file')
    add_test_cfg_arguments(parser, tiling=True)
    add_runner_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = runner_config(args.config, args.cfg_options, args.launcher,
                        args.work_dir, args.local_rank)
    cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {},
                              **args_test_cfg(args))
    test(cfg, args.checkpoint, args.save_sr, args.out)


if __name__ == '__main__':
    run_tool(main)
