"""Ref-SR inference on image files through mmagic's inferencer."""
import copy
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from PIL import Image

from mmagic.apis.inferencers import ImageSuperResolutionInferencer
from ..datasets.refsr_dataset import unreadable_image
from ..models.editors.c2matching import PATCH, UPSCALE
from ..models.editors.c2matching.inference import describe_tiling
from ..structures import rgb_image
from ..utils import load_weights

# the smallest images 3x3 feature patches can be matched in
MIN_INPUT_SIDE = PATCH  # LR pixels
MIN_REFERENCE_SIDE = UPSCALE * PATCH  # HR pixels, once cropped to UPSCALE


def check_image(path: str,
                what: str,
                min_side: int = 1,
                mod: int = 1) -> Tuple[int, int]:
    """Checks that ``path`` is a readable image of at least ``min_side``
    pixels each way once cropped to multiples of ``mod``; returns its
    (width, height).

    Raises:
        FileNotFoundError, ValueError: One line naming ``what`` and the file.
    """
    why = unreadable_image(path)
    if why == 'missing':
        raise FileNotFoundError(f'{what}: image not found: {path}')
    if why:
        raise ValueError(f'{what}: cannot read image {path}: {why}')
    with Image.open(path) as img:
        width, height = img.size
    if min(width - width % mod, height - height % mod) < min_side:
        raise ValueError(
            f'{what}: image of {width}x{height} pixels is too small; 3x3 '
            f'feature patches need at least {min_side}x{min_side}')
    return width, height


class RefSRInferencer(ImageSuperResolutionInferencer):
    """mmagic's ``ImageSuperResolutionInferencer`` on a C²-Matching config:
    the config's ``demo_pipeline`` reads the LR image (``img``) and the HR
    reference (``ref``), the model's ``predict`` restores it.

    The one difference: the checkpoint is checked strictly (mmagic only
    warns), so a checkpoint of another model is refused with one line.

    Args:
        config (str | Config): Model config.
        ckpt (str, optional): Checkpoint, e.g. from
            ``tools/convert_official_ckpt.py`` or a training run.
        device (str, optional): 'cpu', 'cuda', ...; default: CUDA if any.
        test_cfg (dict, optional): Overrides of the model's ``test_cfg``,
            e.g. ``dict(tile=128, matching='pixel', precision='bf16')``
            (validated by the model: ``inference.TestSettings``).
        **kwargs: See ``ImageSuperResolutionInferencer``.

    Example:
        >>> inferencer = RefSRInferencer('configs/c2matching_cufed.py',
        ...                              'checkpoints/c2matching_cufed.pth')
        >>> sr = inferencer.restore('lr.png', 'ref.png')  # uint8 RGB
    """

    def __init__(self,
                 config,
                 ckpt: Optional[str] = None,
                 device: Optional[str] = None,
                 test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        if device is not None and str(device).startswith(
                'cuda') and not torch.cuda.is_available():
            raise ValueError(f'--device {device}: CUDA is not available')
        if test_cfg:
            config = Config.fromfile(config) if isinstance(
                config, str) else copy.deepcopy(config)
            config.model.test_cfg = {**(config.model.get('test_cfg') or {}),
                                     **test_cfg}
        super().__init__(config, ckpt, device, **kwargs)

    def _init_model(self, cfg, ckpt: Optional[str], device):
        model = super()._init_model(cfg, None, device)
        if ckpt:
            load_weights(model, ckpt, optional=('discriminator.', ),
                         what='checkpoint')
        return model

    def restore(self, img: str, ref: Union[str, Sequence[str]]) -> np.ndarray:
        """Super-resolves the LR image file ``img`` with the reference file
        ``ref`` (any size; mod-cropped to multiples of 4), or with several
        reference files searched as one (each input patch takes its texture
        from the best of them).

        Returns:
            np.ndarray: uint8 RGB (4h, 4w, 3), the values the model scores.
        """
        return rgb_image(self.predict(img, ref).output.pred_img, bgr=True)

    def predict(self, img: str, ref: Union[str, Sequence[str]]):
        """The model's prediction for one input and its reference(s), the
        files checked first: a data sample with ``output.pred_img`` (BGR,
        0-255) and the pipeline's fields (``img_lq``: the bicubic-upsampled
        LR image, ``ref_img``)."""
        refs = [ref] if isinstance(ref, str) else list(ref)
        check_image(img, '--img', MIN_INPUT_SIDE)
        for path in refs:
            check_image(path, '--ref', MIN_REFERENCE_SIDE, mod=UPSCALE)
        ref = refs[0] if len(refs) == 1 else refs
        with torch.no_grad():
            return self.forward(self.preprocess(img=img, ref=ref))[0]

    def tiling_line(self, height: int, width: int,
                    ref_sizes: Sequence[Tuple[int, int]] = ()) -> str:
        """What restoring an LR image of height × width with references of
        ``ref_sizes`` (HR (h, w)) will do: one pass or tiles, and why; the
        reference budget; the hierarchical matching where the exact one
        would take long; in one line."""
        return describe_tiling(self.model.test_settings, height, width,
                               next(self.model.parameters()).device,
                               ref_sizes)
