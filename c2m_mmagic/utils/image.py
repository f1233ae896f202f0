"""Images: zero-padding to a size, the ×4 bicubic input the test pipeline
makes of a ground truth, tensors of RGB arrays, and files written by the
plugin (mmcv's encoder, atomic writes)."""
from typing import List, Sequence, Tuple, Union

import mmcv
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image as PILImage

from .file_backend import atomic_backend_args

Image = Union[np.ndarray, torch.Tensor]


def pad_to(image: Image, height: int, width: int) -> Image:
    """Zero-pads at the bottom and right so that ``image`` is at least
    height × width: an array (H, W[, C]) or a tensor (..., H, W); unchanged
    where it is that large already."""
    is_array = isinstance(image, np.ndarray)
    h, w = image.shape[:2] if is_array else image.shape[-2:]
    pad_h, pad_w = max(0, height - h), max(0, width - w)
    if not (pad_h or pad_w):
        return image
    if is_array:
        return np.pad(image, ((0, pad_h), (0, pad_w)) + ((0, 0), ) *
                      (image.ndim - 2))
    return F.pad(image, (0, pad_w, 0, pad_h))


def bicubic_input(gt: np.ndarray, scale: int = 4
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the test pipeline makes of a ground truth (H, W, 3) uint8 RGB:
    the truth cropped to multiples of ``scale``, its PIL bicubic shrink by
    ``scale``, and that enlarged back (all uint8 RGB)."""
    h, w = gt.shape[0] // scale * scale, gt.shape[1] // scale * scale
    gt = np.ascontiguousarray(gt[:h, :w])
    lr = PILImage.fromarray(gt).resize((w // scale, h // scale),
                                       PILImage.BICUBIC)
    return gt, np.asarray(lr), np.asarray(lr.resize((w, h), PILImage.BICUBIC))


def rgb_to_tensor(img: np.ndarray) -> torch.Tensor:
    """(1, 3, H, W) float32 in [0, 1] of an (H, W, 3) uint8 array."""
    return torch.from_numpy(np.ascontiguousarray(img)).permute(
        2, 0, 1)[None].float() / 255.


def pad_to_common_size(
        images: Sequence[np.ndarray]) -> Tuple[List[np.ndarray], Tuple]:
    """Zero-pads (bottom/right) arrays (H, W[, C]) to their largest height
    and width; returns them and that (height, width)."""
    height = max(img.shape[0] for img in images)
    width = max(img.shape[1] for img in images)
    return [pad_to(img, height, width) for img in images], (height, width)


def write_image(rgb: np.ndarray, path: str) -> None:
    """Writes a uint8 RGB image (format from the extension, e.g. PNG),
    through a temporary file and a rename."""
    if not mmcv.imwrite(mmcv.rgb2bgr(np.ascontiguousarray(rgb)), path,
                        backend_args=atomic_backend_args()):
        raise OSError(f'could not encode an image for {path}')
