r"""Super-resolve LR images (×4) with HR references through mmagic's
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
import os.path as osp

from c2m_mmagic.apis import (Job, RefSRInferencer, add_test_cfg_arguments,
                             args_test_cfg, check_image, folder_jobs,
                             parser_from_doc, restore_job, run_tool)
from mmengine.utils import ProgressBar


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
    add_test_cfg_arguments(parser, tiling=True)
    parser.add_argument(
        '--compare',
        help='also write bicubic | C2-Matching | reference (| GT) here (a '
        'folder in folder mode)')
    parser.add_argument(
        '--gt',
        help='HR ground truth (a folder in folder mode, same file names as '
        '--img), shown with Y-PSNRs in --compare')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    test_cfg = args_test_cfg(args)
    if not osp.isdir(args.img):
        for name in ('img', 'gt'):
            if getattr(args, name):
                check_image(getattr(args, name), f'--{name}')
        inferencer = RefSRInferencer(args.config, args.checkpoint,
                                     args.device, test_cfg=test_cfg)
        sr = restore_job(inferencer, Job(args.img, args.ref, args.out,
                                         args.compare, args.gt))
        print(f'wrote {args.out} ({sr.shape[1]}x{sr.shape[0]})' +
              (f' and {args.compare}' if args.compare else ''))
        return
    if len(args.ref) != 1 or not osp.isdir(args.ref[0]):
        raise ValueError(f'--ref: with a folder as --img, give one folder '
                         f'of references, got {" ".join(args.ref)}')
    jobs = folder_jobs(args.img, args.ref[0], args.out, args.pairs,
                       args.compare, args.gt)
    inferencer = RefSRInferencer(args.config, args.checkpoint, args.device,
                                 test_cfg=test_cfg)
    bar = ProgressBar(len(jobs))
    for job in jobs:
        restore_job(inferencer, job)
        bar.update()
    print(f'\nwrote {len(jobs)} images to {args.out}')


if __name__ == '__main__':
    run_tool(main)
