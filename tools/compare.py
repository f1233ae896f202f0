r"""Evaluate several models on the same Ref-SR test folders, side by side.

Each model keeps its own config (model, pipeline, pre-processing); only the
data folder is shared. The result is one table (rows: models, columns:
dataset/metric) written as Markdown and JSON.

Example:
    python tools/compare.py --data-root data/CUFED5 --ref-level 1 \
        --model C2-Matching configs/c2matching_cufed.py c2m.pth \
        --model TTSR mmagic::ttsr/ttsr-gan_x4c64b16_1xb9-500k_CUFED.py ttsr.pth \
        --out-dir work_dirs/compare
"""
import argparse

from c2m_mmagic.apis import compare_models, parser_from_doc, run_tool


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument(
        '--model',
        nargs='+',
        action='append',
        required=True,
        metavar='NAME CONFIG CHECKPOINT [KEY=VALUE ...]',
        help='a model to compare: its name, config, checkpoint and optional '
        'config overrides; repeat for each model')
    parser.add_argument(
        '--data-root', required=True, help='CUFED5-layout test folder')
    parser.add_argument(
        '--ref-level', type=int, default=1, help='CUFED5 reference level')
    parser.add_argument(
        '--out-dir', default='work_dirs/compare', help='output folder')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    print(compare_models(args.model, args.data_root, args.ref_level,
                         args.out_dir))


if __name__ == '__main__':
    run_tool(main)
