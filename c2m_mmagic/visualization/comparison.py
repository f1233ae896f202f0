"""Side-by-side comparison images: bicubic | C²-Matching | reference | GT."""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..evaluation.image_metrics import y_psnr

CAPTION_HEIGHT = 28


def _fit_height(img: np.ndarray, height: int) -> np.ndarray:
    if img.shape[0] == height:
        return img
    width = max(1, round(img.shape[1] * height / img.shape[0]))
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)


def _captioned(img: np.ndarray, caption: str) -> np.ndarray:
    strip = np.full((CAPTION_HEIGHT, img.shape[1], 3), 255, np.uint8)
    scale = min(0.5, max(0.3, img.shape[1] / 480))
    cv2.putText(strip, caption, (4, CAPTION_HEIGHT - 9),
                cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate((strip, img), axis=0)


def comparison_row(panels: Sequence[Tuple[np.ndarray, str]],
                   height: Optional[int] = None,
                   gap: int = 4) -> np.ndarray:
    """Captioned images side by side, each scaled to ``height`` (default:
    the first image's) when it differs.

    Args:
        panels (Sequence[tuple]): (uint8 RGB image, caption) pairs.
        height (int, optional): Image height of the row.
        gap (int): White pixels between panels.

    Returns:
        np.ndarray: (height + caption, W_total, 3) uint8 RGB.
    """
    height = height or panels[0][0].shape[0]
    row = []
    for i, (img, caption) in enumerate(panels):
        if i:
            row.append(np.full((height + CAPTION_HEIGHT, gap, 3), 255,
                               np.uint8))
        row.append(
            _captioned(np.ascontiguousarray(_fit_height(img, height)),
                       caption))
    return np.concatenate(row, axis=1)


def make_comparison(bicubic: np.ndarray,
                    sr: np.ndarray,
                    ref: np.ndarray,
                    gt: Optional[np.ndarray] = None,
                    names: Sequence[str] = ('Bicubic', 'C2-Matching'),
                    gap: int = 4) -> np.ndarray:
    """Builds one captioned row of panels (uint8 RGB, HR size).

    Args:
        bicubic (np.ndarray): Bicubic-upsampled LR image.
        sr (np.ndarray): Super-resolved image.
        ref (np.ndarray): Reference (shown at the same height).
        gt (np.ndarray, optional): Ground truth; when given, the captions
            carry the Y-PSNR of bicubic and of ``sr``.
        names (Sequence[str]): Captions of the first two panels.
        gap (int): White pixels between panels.

    Returns:
        np.ndarray: (H + caption, W_total, 3) uint8 RGB.
    """
    captions = list(names) + ['Reference']
    panels: List[np.ndarray] = [bicubic, sr, ref]
    if gt is not None:
        captions[0] += f' {y_psnr(bicubic, gt):.2f} dB'
        captions[1] += f' {y_psnr(sr, gt):.2f} dB'
        captions.append('Ground truth')
        panels.append(gt)
    return comparison_row(list(zip(panels, captions)), sr.shape[0], gap)
