"""Super-resolve one LR image (×4) with one HR reference.

Example:
    python tools/inference.py configs/c2matching_cufed.py c2matching.pth \
        --img lr.png --ref ref.png --out sr.png
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from c2m_mmagic.apis.cli import fail  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from c2m_mmagic.apis.restorer import (RefSRRestorer, read_rgb,  # noqa: E402
                                      write_png_atomic)
from c2m_mmagic.visualization import make_comparison  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('--img', required=True, help='LR input image')
    parser.add_argument('--ref', required=True, help='HR reference image')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument(
        '--compare',
        help='also write bicubic | C2-Matching | reference (| GT) here')
    parser.add_argument(
        '--gt', help='HR ground truth, shown with Y-PSNRs in --compare')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    lr = read_rgb(args.img, '--img')
    ref = read_rgb(args.ref, '--ref')
    restorer = RefSRRestorer(args.config, args.checkpoint, args.device)
    sr = restorer.restore(lr, ref)
    write_png_atomic(sr, args.out)
    print(f'wrote {args.out} ({sr.shape[1]}x{sr.shape[0]})')
    if args.compare:
        gt = read_rgb(args.gt, '--gt') if args.gt else None
        if gt is not None and gt.shape[:2] != sr.shape[:2]:
            gt = gt[:sr.shape[0], :sr.shape[1]]
            if gt.shape[:2] != sr.shape[:2]:
                raise ValueError(f'--gt: {args.gt} is smaller than the '
                                 f'{sr.shape[1]}x{sr.shape[0]} output')
        bicubic = np.asarray(Image.fromarray(lr).resize(
            (sr.shape[1], sr.shape[0]), Image.BICUBIC))
        write_png_atomic(make_comparison(bicubic, sr, ref, gt), args.compare)
        print(f'wrote {args.compare}')


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        fail(err)
