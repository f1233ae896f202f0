"""Summarise the quick start: matching accuracy of stages 1 and 2 before and
after training, and the stage-3 test beside bicubic with the true and with
an unrelated reference (the reference ablation), plus one comparison panel.

Example:
    python tools/demo_report.py --out work_dirs/quickstart
"""
import argparse

from c2m_mmagic.apis import parser_from_doc, run_tool
from c2m_mmagic.apis.demo_report import report


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument(
        '--work-dirs',
        default='work_dirs',
        help='folder holding the stages\' work dirs')
    parser.add_argument('--data', default='data/demo', help='demo data')
    parser.add_argument(
        '--sr',
        default='work_dirs/c2matching-rec_demo/sr',
        help='--save-sr folder of the stage-3 test')
    parser.add_argument(
        '--panel-image',
        default='000',
        help='test image of the ablation panel (000: the '
        'stereo motorcycle)')
    parser.add_argument(
        '--out',
        default='work_dirs/quickstart',
        help='where summary.md/.json and the panel go')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    report(args.work_dirs, args.data, args.sr, args.out, args.panel_image)


if __name__ == '__main__':
    run_tool(main)
