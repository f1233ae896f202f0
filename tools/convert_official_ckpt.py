r"""Convert the authors' released C²-Matching weights to one mmengine checkpoint.

Example:
    python tools/convert_official_ckpt.py --restoration C2-Matching_restoration.pth \
        --extractor feature_extraction.pth --vgg torchvision://vgg19 \
        --out checkpoints/c2matching_cufed.pth
"""
import argparse
import os.path as osp

from c2m_mmagic.apis import (CONFIGS, build_model, convert_official,
                             load_config, parser_from_doc, run_tool)


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument(
        '--restoration',
        required=True,
        help='released restoration network (net_g) file')
    parser.add_argument(
        '--extractor',
        required=True,
        help='released contrastive feature extractor file')
    parser.add_argument(
        '--vgg',
        default='torchvision://vgg19',
        help='torchvision VGG19 weights: a file, or torchvision://vgg19 from '
        "torch's hub cache (only features.0-10 are needed)")
    parser.add_argument('--out', required=True, help='output checkpoint')
    parser.add_argument(
        '--config',
        default=osp.join(CONFIGS, 'c2matching_cufed.py'),
        help='config of the model the checkpoint is for')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    model = build_model(load_config(args.config))
    state = convert_official(model, args.restoration, args.extractor, args.vgg,
                             args.out)
    print(f'wrote {args.out}: {len(state)} entries for {args.config}')


if __name__ == '__main__':
    run_tool(main)
