r"""Time C²-Matching: matching alone, inference per image, a stage-3 training
step, and peak memory; the shipped implementation ("fast") or a plain one of
the released algorithm ("reference": per-sample loop, chunked conv2d patch
correlation, fp32, deformable conv through torchvision on the reference's
grid). "memory" rows are inference rows each measured in a process of its
own (a CPU's peak resident memory only grows), untiled and tiled.

Examples:
    python tools/benchmark.py --device cpu --impl fast reference \
        --what matching --size 332x500 --json work_dirs/bench.json
    python tools/benchmark.py --what memory --impl fast --size 512x512 \
        1024x1024 --tiling off auto --repeat 1 --warmup 0
"""
import argparse

from c2m_mmagic.apis import (PRECISION_CHOICES, matching_choices,
                             matching_help, parser_from_doc)
from c2m_mmagic.benchmarks.speed import parse_size, run_benchmark


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument(
        '--impl',
        nargs='+',
        default=['fast', 'reference'],
        choices=['fast', 'reference'])
    parser.add_argument(
        '--what',
        nargs='+',
        default=['matching'],
        choices=['matching', 'inference', 'train', 'train_rec', 'memory'],
        help='train: a stage-3 GAN step; train_rec: a "-rec" step (L1 '
        'only), both at --train-size, batch --batch')
    parser.add_argument(
        '--size',
        nargs='+',
        type=parse_size,
        default=[(332, 500)],
        help='HxW of the HR image')
    parser.add_argument('--batch', type=int, default=9, help='training batch')
    parser.add_argument(
        '--refs',
        type=int,
        nargs='+',
        default=[1],
        help='references per input of the inference rows (several: the '
        'multi-reference option, each of the input\'s size)')
    parser.add_argument(
        '--train-size',
        type=parse_size,
        default=(160, 160),
        help='HxW of the HR training crops (the release: '
        '160x160)')
    parser.add_argument(
        '--blocks', type=int, default=16, help='residual blocks per stage')
    parser.add_argument(
        '--chunk-elements',
        type=int,
        nargs='+',
        default=[None],
        help='memory budgets of one matching band of the fast path, a row '
        'each (default: the config\'s, 2**26)')
    parser.add_argument(
        '--matmul',
        nargs='+',
        default=['fp32'],
        choices=['fp32', 'tf32'],
        help='CUDA matrix-product precision of the fast rows, a row each '
        '(tf32: a candidate speed-up of the matching; fp32: PyTorch\'s '
        'default)')
    parser.add_argument(
        '--tiling',
        nargs='+',
        default=['auto'],
        help='inference and memory rows: auto (the model\'s '
        'max_pixels_per_pass), off (one pass) or a tile side in LR pixels; '
        'a row each')
    parser.add_argument(
        '--matching',
        nargs='+',
        default=['auto'],
        choices=matching_choices(),
        help='patch matching of the fast rows, a row each: ' +
        matching_help())
    parser.add_argument(
        '--precision',
        nargs='+',
        default=['fp32'],
        choices=PRECISION_CHOICES,
        help='precision of the fast rows, a row each: inference rows '
        '(test_cfg.precision), training rows (bf16: mixed precision as '
        'tools/train.py --amp trains, CUDA only)')
    parser.add_argument(
        '--skip-untiled-above',
        type=parse_size,
        metavar='HxW',
        help='no untiled (--tiling off) rows for outputs larger than this')
    parser.add_argument(
        '--profile',
        metavar='MD',
        help='append a torch.profiler table (top 25 kernels by time) of one '
        'more step of each fast row to this Markdown file')
    parser.add_argument(
        '--append',
        action='store_true',
        help='keep the rows already in --json (one file for several runs)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--json', help='write the results here')
    return parser.parse_args()


if __name__ == '__main__':
    run_benchmark(parse_args())
