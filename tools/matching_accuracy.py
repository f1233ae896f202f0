r"""Accuracy of a matching implementation against the exact search on real
pairs with a model's own features: agreement of the chosen indices and the
Y-PSNR the output loses (c2m_mmagic/benchmarks/matching_accuracy.py).

Examples:
    python tools/matching_accuracy.py configs/c2matching/c2matching-rec_demo.py \
        work_dirs/c2matching-rec_demo/iter_300.pth --matching pixel hierarchical
    python tools/matching_accuracy.py configs/c2matching/c2matching-rec_demo.py \
        work_dirs/c2matching-rec_demo/iter_300.pth --stereo-sizes 248x368 \
        --force-hierarchical --out work_dirs/matching_accuracy
"""
import json
import os.path as osp

from c2m_mmagic.apis import (matching_choices, parser_from_doc, run_tool)
from c2m_mmagic.benchmarks.matching_accuracy import measure, summary_rows
from c2m_mmagic.benchmarks.speed import parse_size
from c2m_mmagic.evaluation import to_markdown
from c2m_mmagic.utils import write_text


def main() -> None:
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument(
        '--matching', nargs='+', default=['pixel', 'hierarchical'],
        choices=[m for m in matching_choices() if m != 'auto'],
        help='the yardstick, then the matchings measured against it')
    parser.add_argument('--stereo-sizes', nargs='*', type=parse_size,
                        default=[(248, 368), (496, 736)],
                        help='HxW of the stereo pair (HR)')
    parser.add_argument('--demo-root', default='data/demo/CUFED5',
                        help='the held-out demo test images ("" for none)')
    parser.add_argument('--force-hierarchical', action='store_true',
                        help='the hierarchical matching even where the '
                        'exact search is cheaper (its size threshold off)')
    parser.add_argument('--out', default='work_dirs/matching_accuracy',
                        help='where matching_accuracy.md/.json go')
    args = parser.parse_args()
    forced = dict(hierarchical=dict(exact_below=0)) \
        if args.force_hierarchical else {}
    results = measure(args.config, args.checkpoint, args.matching,
                      args.stereo_sizes, args.demo_root, forced)
    rows = summary_rows(results, args.matching)
    title = (f'{" vs ".join(args.matching[1:])} against {args.matching[0]}'
             + (' (size threshold off)' if forced else ''))
    markdown = to_markdown(rows, title, first_column='pairs')
    write_text(markdown, osp.join(args.out, 'matching_accuracy.md'))
    write_text(json.dumps(results, indent=2, default=float),
               osp.join(args.out, 'matching_accuracy.json'))
    print(markdown)


if __name__ == '__main__':
    run_tool(main)
