r"""Robustness to the reference's rotation and scale (the paper's figures):
Y-PSNR/SSIM of one or more Ref-SR models as the reference is rotated or
scaled by known amounts, beside bicubic, and the matching accuracy of
C²-Matching's correspondence beside plain VGG features; tables (Markdown,
CSV, JSON) and one plot per sweep (c2m_mmagic/benchmarks/robustness.py).

Examples:
    python tools/robustness.py configs/robustness/robustness_demo.py
    python tools/robustness.py configs/robustness/robustness_demo.py \
        --angles 0 45 90 --scales 0.5 1 2
    python tools/robustness.py configs/robustness/robustness_cufed5.py
    python tools/robustness.py configs/robustness/robustness_demo.py \
        --model TTSR mmagic::ttsr/ttsr-gan_x4c64b16_1xb9-500k_CUFED.py ttsr.pth
"""
import argparse
import os.path as osp

from c2m_mmagic.apis import load_config, parser_from_doc, run_tool
from c2m_mmagic.benchmarks.robustness import ModelSpec, RobustnessBenchmark


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', help='the benchmark\'s defaults '
                        '(configs/robustness/)')
    parser.add_argument(
        '--model',
        nargs='+',
        action='append',
        metavar='NAME CONFIG CHECKPOINT [KEY=VALUE ...]',
        help='a model beside the config\'s: its name, config, checkpoint and '
        'optional config overrides; repeat for each model')
    parser.add_argument('--only-models', action='store_true',
                        help='the --model models only, not the config\'s')
    parser.add_argument('--angles', type=float, nargs='*',
                        help='rotations of the reference, degrees')
    parser.add_argument('--scales', type=float, nargs='*',
                        help='scale factors of the reference')
    parser.add_argument('--data-root', help='a CUFED5-layout test folder')
    parser.add_argument('--ref-level', type=int, help='reference level')
    parser.add_argument('--out-dir', help='where tables and plots go')
    parser.add_argument('--keep-sets', metavar='DIR',
                        help='keep the transformed test sets here')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config)
    models = [] if args.only_models else [
        ModelSpec(m['name'], m['config'], m['checkpoint'],
                  list(m.get('overrides', [])),
                  bool(m.get('plain_matching', False)))
        for m in cfg.get('models', [])
    ]
    for spec in args.model or []:
        if len(spec) < 3:
            raise ValueError(f'--model needs NAME CONFIG CHECKPOINT, got '
                             f'{spec}')
        models.append(ModelSpec(spec[0], spec[1], spec[2], spec[3:]))

    def pick(name):
        value = getattr(args, name)
        return value if value is not None else cfg.get(name)

    bench = RobustnessBenchmark(
        models, pick('data_root'), pick('ref_level') or 1, pick('angles'),
        pick('scales'), pick('out_dir'), cfg.get('plain_vgg'),
        args.keep_sets)
    for spec in models:
        print(f'[robustness] {spec.name}: config {spec.config}, checkpoint '
              f'{spec.checkpoint}' + (', plain VGG features for the matching'
                                      if spec.plain_matching else ''))
    print(f'[robustness] {len(bench.stems)} images of {bench.data_root}, '
          f'{len(bench.transforms)} references each')
    bench.run()
    out = pick('out_dir')
    print(f'[robustness] {osp.join(out, "robustness.md")} (.csv, .json), '
          f'{osp.join(out, "rotation.png")}, {osp.join(out, "scale.png")}')
    print(open(osp.join(out, 'robustness.md')).read())


if __name__ == '__main__':
    run_tool(main)
