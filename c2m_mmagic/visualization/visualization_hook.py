"""Comparison images and a progress bar during tests."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from mmagic.registry import HOOKS
from ..engine.hooks.loop_context import current_dataset_name, several_datasets
from ..structures import (crop_to_unpadded, file_stem, first_reference,
                          reference_names, rgb_image)
from ..utils import write_image
from .comparison import make_comparison


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
            sr = rgb_image(sample.output.pred_img, bgr=True)
            # the LR input as the model saw it (padded like the input when
            # the test pads), upsampled; shown at the input's size
            bicubic = rgb_image(crop_to_unpadded(sample.img_lq, sample),
                                bgr=False)
            gt = rgb_image(sample.gt_img, bgr=True) if 'gt_img' in sample \
                else None
            panel = make_comparison(
                bicubic, sr, rgb_image(first_reference(sample), bgr=False),
                gt)
            # input and reference names: unique across CUFED5 levels too
            refs = [osp.splitext(r)[0] for r in reference_names(sample)]
            name = '__'.join(
                filter(None, [
                    file_stem(sample),
                    refs[0] if len(refs) == 1 else
                    f'{len(refs)}refs' if refs else ''
                ])) or f'{batch_idx:05d}'
            folder = osp.join(runner.work_dir, self.folder)
            if several_datasets(runner):
                folder = osp.join(folder, current_dataset_name(runner))
            write_image(panel, osp.join(folder, name + '.png'))
            self._saved += 1

    def after_test_epoch(self, runner, metrics=None) -> None:
        if self._saved:
            runner.logger.info(f'{self._saved} comparison images in '
                               f'{osp.join(runner.work_dir, self.folder)}')
