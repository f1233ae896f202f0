"""Accuracy of the fast paths on a device (for tools/device_check.sh): each
matching against float64, the device's output against the CPU's, bf16
against fp32 (what each measures: c2m_mmagic/benchmarks/device_accuracy.py).

Example:
    python tools/device_accuracy.py --device cuda --json acc.json
"""
import json

from c2m_mmagic.apis import parser_from_doc
from c2m_mmagic.benchmarks.device_accuracy import device_accuracy
from c2m_mmagic.utils import write_text


def main() -> None:
    parser = parser_from_doc(__doc__)
    parser.add_argument('--device', default='cuda')
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(160, 240),
        metavar=('H', 'W'),
        help='HR size of the real pair')
    parser.add_argument('--json', required=True)
    args = parser.parse_args()
    text = json.dumps(device_accuracy(args.device, args.size),
                      indent=2)
    write_text(text, args.json)
    print(text)


if __name__ == '__main__':
    main()
