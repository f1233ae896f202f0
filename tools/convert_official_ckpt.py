"""Convert the authors' released C²-Matching weights to one mmengine checkpoint.

Example:
    python tools/convert_official_ckpt.py --restoration C2-Matching_restoration.pth \
        --extractor feature_extraction.pth --vgg vgg19-dcbb9e9d.pth \
        --out checkpoints/c2matching_cufed.pth
"""
import argparse
import os.path as osp
import sys

from mmengine.registry import init_default_scope

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from c2m_mmagic.apis.cli import fail, load_config  # noqa: E402
from c2m_mmagic.apis.convert import convert_official  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--restoration', required=True,
                        help='released restoration network (net_g) file')
    parser.add_argument('--extractor', required=True,
                        help='released contrastive feature extractor file')
    parser.add_argument('--vgg', required=True,
                        help="torchvision VGG19 state dict (only features.0-10 "
                        'are needed)')
    parser.add_argument('--out', required=True, help='output checkpoint')
    parser.add_argument(
        '--config',
        default=osp.join(
            osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs',
            'c2matching_cufed.py'),
        help='config of the model the checkpoint is for')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config)
    init_default_scope('mmagic')
    from mmagic.registry import MODELS
    model = MODELS.build(cfg.model)
    state = convert_official(model, args.restoration, args.extractor,
                             args.vgg, args.out)
    print(f'wrote {args.out}: {len(state)} entries for {args.config}')


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        fail(err)
