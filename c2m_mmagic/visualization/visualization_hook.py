"""Comparison images and a progress bar during tests."""
import os.path as osp
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from mmagic.registry import HOOKS
from ..apis.restorer import write_png_atomic
from .comparison import make_comparison


def _rgb(t: torch.Tensor, bgr: bool) -> np.ndarray:
    """(3, H, W) 0-255 tensor -> uint8 RGB (H, W, 3)."""
    arr = t.detach().float().clamp(0, 255).round().byte().cpu().numpy()
    arr = arr.transpose(1, 2, 0)
    return np.ascontiguousarray(arr[..., ::-1] if bgr else arr)


@HOOKS.register_module()
class RefSRVisualizationHook(Hook):
    """Saves, for every test image, bicubic | C²-Matching | reference | GT
    side by side with the Y-PSNR in the captions, under
    ``work_dir/<folder>/``, and shows a progress bar over the test images.

    Args:
        folder (str): Sub-folder of the work dir. Default: 'comparisons'.
        max_images (int, optional): Save at most this many per test.
        progress (bool): Show a progress bar. Default: True.
    """
    priority = 'LOW'

    def __init__(self,
                 folder: str = 'comparisons',
                 max_images: Optional[int] = None,
                 progress: bool = True) -> None:
        self.folder = folder
        self.max_images = max_images
        self.progress = progress
        self._saved = 0
        self._bar = None

    def before_test_epoch(self, runner) -> None:
        self._saved = 0
        if self.progress:
            loop = runner.test_loop
            loaders = getattr(loop, 'dataloaders', None) or [loop.dataloader]
            total = sum(len(loader.dataset) for loader in loaders)
            self._bar = ProgressBar(total) if total else None

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs: Optional[Sequence] = None) -> None:
        for sample in outputs or []:
            if self._bar is not None:
                self._bar.update()
            if self.max_images is not None and self._saved >= self.max_images:
                continue
            if 'img_lq' not in sample or 'ref_img' not in sample:
                continue
            gt = _rgb(sample.gt_img, bgr=True) if 'gt_img' in sample else None
            panel = make_comparison(
                _rgb(sample.img_lq, bgr=False),
                _rgb(sample.output.pred_img, bgr=True),
                _rgb(sample.ref_img, bgr=False), gt)
            # input and reference names: unique across CUFED5 levels too
            name = '__'.join(
                osp.splitext(osp.basename(sample.metainfo[key]))[0]
                for key in ('gt_path', 'ref_path') if key in sample.metainfo)
            name = name or f'{batch_idx:05d}'
            write_png_atomic(
                panel, osp.join(runner.work_dir, self.folder, name + '.png'))
            self._saved += 1

    def after_test_epoch(self, runner, metrics=None) -> None:
        if self._saved:
            runner.logger.info(
                f'{self._saved} comparison images in '
                f'{osp.join(runner.work_dir, self.folder)}')
