"""Super-resolve LR images (×4) with HR references through mmagic's
ImageSuperResolutionInferencer and the config's demo_pipeline.

One input with one or several references (searched as one), or folders:
with --img DIR and --ref DIR, every input is paired with the reference of
the same file name (or by a --pairs list of "<input> <reference> [<reference>
...]" lines) and written as OUT/<input stem>.png. Every file is checked
before any work starts; an input without a reference is an error, never
skipped.

Examples:
    python tools/inference.py configs/c2matching_cufed.py c2matching.pth \
        --img lr.png --ref ref.png [ref2.png ...] --out sr.png \
        [--compare cmp.png --gt gt.png]
    python tools/inference.py configs/c2matching_cufed.py c2matching.pth \
        --img lr_dir --ref ref_dir --out sr_dir [--pairs pairs.txt]
    python tools/inference.py configs/c2matching_cufed.py c2matching.pth \
        --img big_lr.png --ref big_ref.png --out sr.png --tile 128
"""
import argparse
import os
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
from cli_helpers import (add_precision_arguments, fail, parser_from_doc,
                         precision_test_cfg)
from mmengine.utils import ProgressBar

from c2m_mmagic.apis import (MIN_INPUT_SIDE, MIN_REFERENCE_SIDE,
                             RefSRInferencer, check_image)
from c2m_mmagic.datasets.refsr_dataset import (IMG_EXTENSIONS,
                                               read_pair_list)
from c2m_mmagic.models.editors.c2matching.c2matching import MIN_TILE
from c2m_mmagic.models.editors.c2matching.scales import UPSCALE
from c2m_mmagic.structures import first_reference, rgb_image
from c2m_mmagic.utils import write_image
from c2m_mmagic.visualization import make_comparison


def parse_args() -> argparse.Namespace:
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument(
        '--img', required=True, help='LR input image, or a folder of them')
    parser.add_argument(
        '--ref',
        required=True,
        nargs='+',
        help='HR reference image(s) of the input, or a folder of them')
    parser.add_argument(
        '--out', required=True, help='output PNG, or a folder (folder mode)')
    parser.add_argument(
        '--pairs',
        help='folder mode: "<input> <reference> [<reference> ...]" lines, '
        'paths relative to --img and --ref (default: pair by file name)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument(
        '--tile',
        type=int,
        help='restore in tiles of N LR pixels (N >= 16; the same image, in '
        'less memory); by default only outputs over the model\'s '
        'test_cfg.max_pixels_per_pass are tiled')
    add_precision_arguments(parser)
    parser.add_argument(
        '--compare',
        help='also write bicubic | C2-Matching | reference (| GT) here (a '
        'folder in folder mode)')
    parser.add_argument(
        '--gt',
        help='HR ground truth (a folder in folder mode, same file names as '
        '--img), shown with Y-PSNRs in --compare')
    return parser.parse_args()


def images_in(folder: str) -> List[str]:
    """Image file names of ``folder``, sorted."""
    return sorted(
        f for f in os.listdir(folder) if f.lower().endswith(IMG_EXTENSIONS))


def pairs_by_name(img_dir: str,
                  ref_dir: str) -> List[Tuple[str, List[str]]]:
    """(input, [reference]) names: the reference with the input's file
    name, else its stem with any image extension."""
    refs = images_in(ref_dir)
    by_stem = {osp.splitext(r)[0]: r for r in refs}
    pairs, unpaired = [], []
    for name in images_in(img_dir):
        ref = name if name in refs else by_stem.get(osp.splitext(name)[0])
        if ref is None:
            unpaired.append(name)
        else:
            pairs.append((name, [ref]))
    if unpaired:
        raise ValueError(
            f'--ref: no reference in {ref_dir} for {len(unpaired)} input(s) '
            f'of {img_dir}: {", ".join(unpaired[:10])}'
            f'{" ..." if len(unpaired) > 10 else ""} (name them alike, or '
            'give --pairs)')
    return pairs


def read_gt(path: str, size: Tuple[int, int]) -> np.ndarray:
    """The ground truth cropped to the output's (height, width)."""
    import mmcv
    check_image(path, '--gt')
    gt = mmcv.imread(path, channel_order='rgb')[:size[0], :size[1]]
    if gt.shape[:2] != size:
        raise ValueError(f'--gt: {path} is smaller than the '
                         f'{size[1]}x{size[0]} output')
    return gt


def restore(inferencer: RefSRInferencer, img: str, refs: List[str],
            out: str, compare: Optional[str],
            gt: Optional[str]) -> np.ndarray:
    """One input: writes ``out`` (and the ``compare`` panels)."""
    sample = inferencer.predict(img, refs)
    sr = rgb_image(sample.output.pred_img, bgr=True)
    write_image(sr, out)
    if compare:
        panel = make_comparison(
            rgb_image(sample.img_lq, bgr=False), sr,
            rgb_image(first_reference(sample), bgr=False),
            read_gt(gt, sr.shape[:2]) if gt else None)
        write_image(panel, compare)
    return sr


def make_inferencer(args: argparse.Namespace) -> RefSRInferencer:
    """The inferencer of ``--config``/``checkpoint`` on ``--device``, tiled
    by ``--tile``."""
    return RefSRInferencer(
        args.config, args.checkpoint, args.device,
        test_cfg=dict(precision_test_cfg(args),
                      **(dict(tile=args.tile) if args.tile else {})))


def main() -> None:
    args = parse_args()
    if args.tile is not None and args.tile < MIN_TILE:
        raise ValueError(f'--tile: tiles need at least {MIN_TILE} LR pixels, '
                         f'got {args.tile}')
    folder_mode = osp.isdir(args.img)
    if not folder_mode:
        for name in ('img', 'gt'):
            if getattr(args, name):
                check_image(getattr(args, name), f'--{name}')
        inferencer = make_inferencer(args)
        sr = restore(inferencer, args.img, args.ref, args.out, args.compare,
                     args.gt)
        print(f'wrote {args.out} ({sr.shape[1]}x{sr.shape[0]})' +
              (f' and {args.compare}' if args.compare else ''))
        return
    if len(args.ref) != 1 or not osp.isdir(args.ref[0]):
        raise ValueError(f'--ref: with a folder as --img, give one folder '
                         f'of references, got {" ".join(args.ref)}')
    ref_dir = args.ref[0]
    pairs = read_pair_list(args.pairs, '--pairs') if args.pairs else \
        pairs_by_name(args.img, ref_dir)
    if not pairs:
        raise ValueError(f'--img: no images in {args.img}')
    jobs = []
    for name, refs in pairs:
        stem = osp.splitext(name)[0]
        job = (osp.join(args.img, name), [osp.join(ref_dir, r) for r in refs],
               osp.join(args.out, stem + '.png'),
               osp.join(args.compare, stem + '.png') if args.compare else None,
               osp.join(args.gt, name) if args.gt else None)
        check_image(job[0], '--img', MIN_INPUT_SIDE)
        for ref in job[1]:
            check_image(ref, '--ref', MIN_REFERENCE_SIDE, mod=UPSCALE)
        if job[4]:
            check_image(job[4], '--gt')
        jobs.append(job)
    inferencer = make_inferencer(args)
    bar = ProgressBar(len(jobs))
    for job in jobs:
        restore(inferencer, *job)
        bar.update()
    print(f'\nwrote {len(jobs)} images to {args.out}')


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        fail(err)
