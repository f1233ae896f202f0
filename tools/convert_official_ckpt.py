"""Convert the authors' released C²-Matching weights to one mmengine checkpoint.

Example:
    python tools/convert_official_ckpt.py --restoration C2-Matching_restoration.pth \
        --extractor feature_extraction.pth --vgg torchvision://vgg19 \
        --out checkpoints/c2matching_cufed.pth
"""
import argparse
import os.path as osp

from cli_helpers import REPO, fail, load_config
from mmengine.registry import init_default_scope

from c2m_mmagic.apis import convert_official


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
        default=osp.join(REPO, 'configs', 'c2matching_cufed.py'),
        help='config of the model the checkpoint is for')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config)
    init_default_scope('mmagic')
    from mmagic.registry import MODELS
    model = MODELS.build(cfg.model)
    state = convert_official(model, args.restoration, args.extractor, args.vgg,
                             args.out)
    print(f'wrote {args.out}: {len(state)} entries for {args.config}')


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        fail(err)
