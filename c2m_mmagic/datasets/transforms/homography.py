"""Synthetic references by random homography (docs/method.md §3, stages 1 and 2)."""
import zlib
from typing import Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image

from mmagic.registry import TRANSFORMS


def correspondence_map(homography: np.ndarray, height: int,
                       width: int) -> np.ndarray:
    """Position in the reference of every input pixel.

    Args:
        homography (np.ndarray): 3×3 map from input to reference pixels.
        height (int): Input height.
        width (int): Input width.

    Returns:
        np.ndarray: (height, width, 2) float32, last dim (x, y).
    """
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    pts = np.stack((xs, ys, np.ones_like(xs)), axis=-1) @ homography.T
    return (pts[..., :2] / pts[..., 2:]).astype(np.float32)


@TRANSFORMS.register_module()
class RandomHomographyRef(BaseTransform):
    """Warps the input by a random homography to make its reference.

    As released: a square window of side ``window`` with top-left corner
    drawn uniformly in [margin, max(W, W - window - margin)) (integers), each
    of its 4 corners moved by ±k pixels in x and y independently
    (k uniform in 0..max_shift, sign uniform); ``Hm`` maps the window onto
    the moved corners and the reference is
    ``warpPerspective(img, inv(Hm), (W, H))``, so input pixel p lies at
    ``inv(Hm)·p`` in the reference.

    Required keys: ``key``. Added keys: ``ref_key``, ``homography`` (3×3,
    input → reference), ``correspondence`` ((H, W, 2) float32, (x, y)) and,
    when ``lq_keys`` is given, the ×``scale`` PIL-bicubic LR image and its
    PIL-bicubic upsampling.

    Args:
        key (str): Input image key. Default: 'gt'.
        ref_key (str): Output key of the reference. Default: 'ref'.
        window (int): Window side. Default: 160.
        margin (int): Lower bound of the window corner. Default: 10.
        max_shift (int): Largest corner displacement. Default: 9.
        lq_keys (tuple[str], optional): Output keys of the LR image and the
            upsampled LR image, e.g. ('img', 'img_lq'). Default: None.
        scale (int): Downsampling factor for ``lq_keys``. Default: 4.
        seed (int, optional): With a seed, each image gets its own fixed
            homography, drawn from the seed and the image's file name, the
            same at every validation whatever the order. None draws from
            numpy's global generator (seeded per worker by mmengine).
    """

    def __init__(self,
                 key: str = 'gt',
                 ref_key: str = 'ref',
                 window: int = 160,
                 margin: int = 10,
                 max_shift: int = 9,
                 lq_keys: Optional[tuple] = None,
                 scale: int = 4,
                 seed: Optional[int] = None) -> None:
        self.key = key
        self.ref_key = ref_key
        self.window = window
        self.margin = margin
        self.max_shift = max_shift
        self.lq_keys = tuple(lq_keys) if lq_keys else None
        self.scale = scale
        self.seed = seed

    def generator(self, results: dict) -> np.random.Generator:
        """The draws for one sample: fixed by the seed and the file name,
        or from numpy's global state (which mmengine seeds per worker)."""
        if self.seed is None:
            return np.random.default_rng(np.random.randint(2**31 - 1))
        name = str(results.get(f'{self.key}_path', ''))
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def draw_corners(self, width: int, rng: np.random.Generator):
        """Draws the window and its moved corners.

        Args:
            width (int): Image width; as released, both corner coordinates
                are drawn from [margin, max(W, W - window - margin)).
            rng (np.random.Generator): Source of the draws.

        Returns:
            tuple[np.ndarray]: window corners and moved corners, (4, 2)
            float32 each, clockwise from the top-left.
        """
        high = max(width, width - self.window - self.margin)
        x0, y0 = (int(v) for v in rng.integers(self.margin, high, size=2))
        s = self.window
        corners = np.float32([[x0, y0], [x0 + s, y0], [x0 + s, y0 + s],
                              [x0, y0 + s]])
        shift = rng.integers(0, self.max_shift + 1, size=(4, 2))
        sign = rng.choice([-1, 1], size=(4, 2))
        return corners, corners + (shift * sign).astype(np.float32)

    def transform(self, results: dict) -> dict:
        """Adds the reference, the homography and the correspondence map."""
        img = results[self.key]
        h, w = img.shape[:2]
        hm = cv2.getPerspectiveTransform(
            *self.draw_corners(w, self.generator(results)))
        to_ref = np.linalg.inv(hm)
        results[self.ref_key] = cv2.warpPerspective(img, to_ref, (w, h))
        results['homography'] = to_ref.astype(np.float32)
        results['correspondence'] = correspondence_map(to_ref, h, w)
        if self.lq_keys:
            pil = Image.fromarray(img)
            lq = pil.resize((w // self.scale, h // self.scale), Image.BICUBIC)
            results[self.lq_keys[0]] = np.asarray(lq)
            results[self.lq_keys[1]] = np.asarray(
                lq.resize((w, h), Image.BICUBIC))
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.key!r}, '
                f'ref_key={self.ref_key!r}, window={self.window}, '
                f'margin={self.margin}, max_shift={self.max_shift}, '
                f'lq_keys={self.lq_keys}, scale={self.scale}, '
                f'seed={self.seed})')
