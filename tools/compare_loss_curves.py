r"""Compare the loss curves of two training runs (e.g. --amp against fp32).

Reads each work dir's latest ``vis_data/scalars.json``, averages the loss in
windows of ``--window`` iterations and reports the largest relative
difference between the two curves; ``ok`` when it stays within
``--tolerance``.

Example:
    python tools/compare_loss_curves.py work_dirs/fp32 work_dirs/amp \
        --key loss_pix --json amp.json
"""
import json

from c2m_mmagic.apis import parser_from_doc, run_tool
from c2m_mmagic.benchmarks.loss_curves import compare_runs
from c2m_mmagic.utils import write_text


def main() -> None:
    parser = parser_from_doc(__doc__)
    parser.add_argument('first', help='work dir of the baseline run')
    parser.add_argument('second', help='work dir of the compared run')
    parser.add_argument('--key', default='loss_pix')
    parser.add_argument('--window', type=int, default=20)
    parser.add_argument('--tolerance', type=float, default=0.05)
    parser.add_argument('--json', required=True)
    args = parser.parse_args()
    result = compare_runs(args.first, args.second, args.key, args.window,
                          args.tolerance)
    text = json.dumps(result, indent=2)
    write_text(text, args.json)
    print(text)


if __name__ == '__main__':
    run_tool(main)
