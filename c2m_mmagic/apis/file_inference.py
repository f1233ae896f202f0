"""Restoring image files: one input with its references, or folders of
inputs paired with references by file name or by a list, every file checked
before any work starts (nothing half-written), outputs and comparison panels
written atomically."""
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Tuple

import numpy as np

from ..datasets.refsr_dataset import IMG_EXTENSIONS, read_pair_list
from ..models.editors.c2matching import UPSCALE
from ..structures import first_reference, rgb_image
from ..utils import write_image
from ..visualization import make_comparison
from .refsr_inferencer import (MIN_INPUT_SIDE, MIN_REFERENCE_SIDE,
                               RefSRInferencer, check_image)


class Job(NamedTuple):
    """One input to restore.

    Attributes:
        img (str): The LR input.
        refs (list[str]): Its references.
        out (str): Where the SR PNG goes.
        compare (str, optional): Where the comparison panel goes.
        gt (str, optional): The HR ground truth for the panel's scores.
    """
    img: str
    refs: List[str]
    out: str
    compare: Optional[str] = None
    gt: Optional[str] = None


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


def folder_jobs(img_dir: str,
                ref_dir: str,
                out_dir: str,
                pair_list: Optional[str] = None,
                compare_dir: Optional[str] = None,
                gt_dir: Optional[str] = None) -> List[Job]:
    """The jobs of a folder of inputs (OUT/<input stem>.png each), every
    file checked first.

    Args:
        img_dir (str): The LR inputs.
        ref_dir (str): Their references.
        out_dir (str): Where the SR PNGs go.
        pair_list (str, optional): "<input> <reference> [<reference> ...]"
            lines (default: pair by file name).
        compare_dir (str, optional): Where comparison panels go.
        gt_dir (str, optional): Ground truths, named as the inputs.
    """
    pairs = read_pair_list(pair_list, '--pairs') if pair_list else \
        pairs_by_name(img_dir, ref_dir)
    if not pairs:
        raise ValueError(f'--img: no images in {img_dir}')
    jobs = []
    for name, refs in pairs:
        stem = osp.splitext(name)[0]
        job = Job(
            osp.join(img_dir, name), [osp.join(ref_dir, r) for r in refs],
            osp.join(out_dir, stem + '.png'),
            osp.join(compare_dir, stem + '.png') if compare_dir else None,
            osp.join(gt_dir, name) if gt_dir else None)
        check_job(job)
        jobs.append(job)
    return jobs


def check_job(job: Job) -> None:
    """Every file of ``job`` is a readable image of a usable size."""
    check_image(job.img, '--img', MIN_INPUT_SIDE)
    for ref in job.refs:
        check_image(ref, '--ref', MIN_REFERENCE_SIDE, mod=UPSCALE)
    if job.gt:
        check_image(job.gt, '--gt')


def read_gt(path: str, size: Tuple[int, int]) -> np.ndarray:
    """The ground truth cropped to the output's (height, width)."""
    import mmcv
    check_image(path, '--gt')
    gt = mmcv.imread(path, channel_order='rgb')[:size[0], :size[1]]
    if gt.shape[:2] != size:
        raise ValueError(f'--gt: {path} is smaller than the '
                         f'{size[1]}x{size[0]} output')
    return gt


def restore_job(inferencer: RefSRInferencer, job: Job) -> np.ndarray:
    """Restores one input: writes ``job.out`` (and its comparison panel);
    returns the uint8 RGB output."""
    sample = inferencer.predict(job.img, job.refs)
    sr = rgb_image(sample.output.pred_img, bgr=True)
    write_image(sr, job.out)
    if job.compare:
        panel = make_comparison(
            rgb_image(sample.img_lq, bgr=False), sr,
            rgb_image(first_reference(sample), bgr=False),
            read_gt(job.gt, sr.shape[:2]) if job.gt else None)
        write_image(panel, job.compare)
    return sr
