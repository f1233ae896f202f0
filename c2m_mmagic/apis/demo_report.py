"""The quick start's summary: matching accuracy of stages 1 and 2 before and
after training, and the stage-3 test beside bicubic with the true and with
an unrelated reference (the reference ablation), plus one comparison panel."""
import glob
import json
import os.path as osp
from typing import Dict, List

import mmcv
import mmengine
import numpy as np
from PIL import Image

from ..datasets.refsr_dataset import read_pair_list
from ..evaluation import to_markdown, y_psnr
from ..utils import atomic_backend_args, write_image, write_text
from ..visualization import comparison_row
from .runs import latest_scalars

STAGES = (('stage 1 (teacher, HR input)', 'c2matching-teacher_demo'),
          ('stage 2 (student, LR input)', 'c2matching-student_demo'))
TESTS = (('true reference', 'true-ref'),
         ('unrelated reference', 'unrelated-ref'),
         ('all 5 references at once', 'all-5-refs'),
         ('true + 2 unrelated at once', 'true+2-unrelated-refs'))
SEVERAL = TESTS[2:]


def validation_history(work_dir: str) -> List[dict]:
    """Validation records (with 'step') of the latest run in ``work_dir``."""
    return [r for r in latest_scalars(work_dir)[1] if 'match/acc@1' in r]


def matching_rows(work_dirs: str) -> Dict[str, dict]:
    """acc@1 / acc@3 of each stage before and after training."""
    rows = {}
    for name, stage in STAGES:
        history = validation_history(osp.join(work_dirs, stage))
        first, last = history[0], history[-1]
        rows[name] = {
            'acc@1 before': first['match/acc@1'],
            'acc@1 after': last['match/acc@1'],
            'acc@3 before': first['match/acc@3'],
            'acc@3 after': last['match/acc@3'],
            'points': last['match/valid_points'],
        }
    return rows


def sr_rows(results: dict) -> Dict[str, dict]:
    """Bicubic and C²-Matching per reference, from the test's results."""
    rows = {}
    for name, key in TESTS:
        row = results[key]
        rows[name] = {
            'images': row['images'],
            'refs per input': row['references'],
            'bicubic PSNR': row['bicubic PSNR'],
            'C2-Matching PSNR': row['PSNR'],
            'gain dB': row['PSNR'] - row['bicubic PSNR'],
            'bicubic SSIM': row['bicubic SSIM'],
            'C2-Matching SSIM': row['SSIM'],
        }
    return rows


def closeness_rows(sr: str) -> Dict[str, dict]:
    """How far the outputs with several references are from those with the
    true reference alone: share of pixels within one grey level, Y-PSNR
    between the two outputs."""
    rows = {}
    for name, key in SEVERAL:
        within, psnrs = [], []
        for path in sorted(glob.glob(osp.join(sr, 'true-ref', '*.png'))):
            alone = mmcv.imread(path, channel_order='rgb')
            other = mmcv.imread(
                osp.join(sr, key, osp.basename(path)), channel_order='rgb')
            diff = np.abs(alone.astype(int) - other.astype(int))
            within.append(float((diff <= 1).mean()))
            psnrs.append(y_psnr(other, alone))
        rows[name] = {
            'pixels within 1 level of true-only': float(np.mean(within)),
            'Y-PSNR to true-only output': float(np.mean(psnrs)),
        }
    return rows


def ablation_panel(data: str, sr: str, stem: str, pairs: str):
    """Bicubic | C²-Matching with the true reference | with an unrelated
    one | both references | ground truth, Y-PSNR in the captions."""
    gt = mmcv.imread(
        osp.join(data, 'CUFED5', f'{stem}_0.png'), channel_order='rgb')
    h, w = gt.shape[:2]
    lr = Image.fromarray(gt).resize((w // 4, h // 4), Image.BICUBIC)
    bicubic = np.asarray(lr.resize((w, h), Image.BICUBIC))
    unrelated = {inp: refs[0] for inp, refs in read_pair_list(pairs, '--data')}
    panels = [(bicubic, f'Bicubic {y_psnr(bicubic, gt):.2f} dB')]
    for name, key in TESTS[:2]:
        out = mmcv.imread(
            osp.join(sr, key, f'{stem}_0.png'), channel_order='rgb')
        panels.append((out, f'C2M, {name.split()[0]} ref '
                       f'{y_psnr(out, gt):.2f} dB'))
    true_ref = osp.join(data, 'CUFED5', f'{stem}_1.png')
    other_ref = osp.join(data, 'CUFED5', unrelated[f'{stem}_0.png'])
    panels += [(mmcv.imread(true_ref, channel_order='rgb'), 'True reference'),
               (mmcv.imread(other_ref,
                            channel_order='rgb'), 'Unrelated reference'),
               (gt, 'Ground truth')]
    return comparison_row(panels, h)


def report(work_dirs: str = 'work_dirs',
           data: str = 'data/demo',
           sr: str = 'work_dirs/c2matching-rec_demo/sr',
           out: str = 'work_dirs/quickstart',
           panel_image: str = '000') -> str:
    """Writes ``out``/summary.md, summary.json and ablation.png; returns the
    markdown."""
    results_file = osp.join(work_dirs, 'c2matching-rec_demo', 'results.json')
    if not osp.isfile(results_file):
        raise FileNotFoundError(f'no test results at {results_file}; run '
                                'the stage-3 test first')
    with open(results_file) as f:
        results = json.load(f)['results']
    matching, sr_table = matching_rows(work_dirs), sr_rows(results)
    closeness = closeness_rows(sr)
    markdown = '\n'.join([
        to_markdown(matching,
                    'Matching accuracy on the demo validation pairs',
                    first_column='stage'),
        to_markdown(sr_table, 'Held-out demo test images (Y channel)',
                    first_column='references'),
        to_markdown(closeness,
                    'Several references: output against the true '
                    'reference alone',
                    first_column='references')
    ])
    write_text(markdown, osp.join(out, 'summary.md'))
    mmengine.dump(
        dict(matching=matching, super_resolution=sr_table,
             several_references=closeness),
        osp.join(out, 'summary.json'),
        indent=2,
        backend_args=atomic_backend_args())
    panel = osp.join(out, 'ablation.png')
    write_image(
        ablation_panel(data, sr, panel_image,
                       osp.join(data, 'CUFED5_unrelated_pairs.txt')), panel)
    print(markdown)
    print(f'[quickstart] summary: {out}/summary.md, .json; reference '
          f'ablation panel: {panel}')
    return markdown
