"""Every SR output of a test as an image file, as the release saves them."""
import os.path as osp

from mmengine.hooks import Hook

from mmagic.registry import HOOKS
from ...structures import file_stem, rgb_image
from ...utils import write_image
from .loop_context import current_dataset_name, several_datasets


@HOOKS.register_module()
class SaveSRHook(Hook):
    """Writes each prediction as ``<out_dir>/<input file stem>.png`` (uint8
    RGB, the values that were scored); with several data sets in one test,
    under ``<out_dir>/<data set name>/``.

    Args:
        out_dir (str): Output folder.
    """
    priority = 'LOW'

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs=None) -> None:
        folder = osp.join(self.out_dir, current_dataset_name(runner)) \
            if several_datasets(runner) else self.out_dir
        for index, sample in enumerate(outputs or []):
            stem = file_stem(sample) or f'{batch_idx:05d}_{index}'
            write_image(
                rgb_image(sample.output.pred_img, bgr=True),
                osp.join(folder, stem + '.png'))

    def after_test_epoch(self, runner, metrics=None) -> None:
        runner.logger.info(f'SR outputs in {self.out_dir}')
