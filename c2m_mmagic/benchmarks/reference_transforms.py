"""Known transformations of a reference image for the robustness benchmark:
rotations and scalings, each with the map it applies to positions (the
ground truth of a matching) and the part of its output that holds content.

Positions are continuous pixel coordinates (x, y): pixel (i, j) covers
[j, j+1) × [i, i+1), its centre is (j + 0.5, i + 0.5).

- rotation by θ degrees counter-clockwise about the image's centre, on a
  canvas grown to hold the whole rotated image (nothing cropped out); the
  corners the rotation uncovers are black (zero), as the release pads a
  reference with zeros; bicubic resampling;
- scaling by s: the whole image resized to round(s·W) × round(s·H) with PIL
  bicubic (antialiased when shrinking).
"""
import math
from typing import NamedTuple, Sequence, Tuple

import numpy as np
from PIL import Image


class ReferenceTransform(NamedTuple):
    """One transformation of a reference.

    Attributes:
        kind (str): 'rotation' (degrees, counter-clockwise) or 'scale'.
        amount (float): The angle, or the scale factor.
    """
    kind: str
    amount: float

    @property
    def name(self) -> str:
        """'rotation_30', 'scale_0.5' (file and table names)."""
        return f'{self.kind}_{self.amount:g}'

    @property
    def is_identity(self) -> bool:
        return self.amount == (0 if self.kind == 'rotation' else 1)

    def output_size(self, width: int, height: int) -> Tuple[int, int]:
        """(width, height) of the transformed image."""
        if self.kind == 'scale':
            return (max(1, round(width * self.amount)),
                    max(1, round(height * self.amount)))
        cos, sin = _cos_sin(self.amount)
        return (math.ceil(round(width * abs(cos) + height * abs(sin), 6)),
                math.ceil(round(width * abs(sin) + height * abs(cos), 6)))

    def affine(self, width: int, height: int) -> np.ndarray:
        """The 2×3 map from positions in the image to positions in the
        transformed image."""
        if self.kind == 'scale':
            new_w, new_h = self.output_size(width, height)
            return np.array([[new_w / width, 0, 0], [0, new_h / height, 0]])
        cos, sin = _cos_sin(self.amount)
        new_w, new_h = self.output_size(width, height)
        # y points down: counter-clockwise on screen is this rotation
        rot = np.array([[cos, sin], [-sin, cos]])
        centre, new_centre = np.array([width, height]) / 2, np.array(
            [new_w, new_h]) / 2
        return np.concatenate([rot, (new_centre - rot @ centre)[:, None]],
                              axis=1)

    def map_points(self, points: np.ndarray, width: int,
                   height: int) -> np.ndarray:
        """Positions (..., 2) as (x, y) in an image of width × height, where
        they lie in the transformed image."""
        m = self.affine(width, height)
        return points @ m[:, :2].T + m[:, 2]

    def apply(self, img: np.ndarray) -> np.ndarray:
        """The transformed image (uint8 (H, W, C) in, uint8 out)."""
        height, width = img.shape[:2]
        size = self.output_size(width, height)
        pil = Image.fromarray(img)
        if self.kind == 'scale':
            return np.asarray(pil.resize(size, Image.BICUBIC))
        # PIL's affine transform maps each output position to the input
        m = np.concatenate([self.affine(width, height), [[0, 0, 1]]])
        inverse = np.linalg.inv(m)[:2].flatten()
        return np.asarray(
            pil.transform(size, Image.AFFINE, tuple(inverse),
                          resample=Image.BICUBIC, fillcolor=0))

    def content(self, width: int, height: int) -> np.ndarray:
        """(H', W') bool: the pixels of the transformed image that hold the
        image (all of them for a scaling; not the uncovered corners)."""
        ones = np.full((height, width), 255, np.uint8)
        if self.kind == 'scale':
            w, h = self.output_size(width, height)
            return np.ones((h, w), bool)
        m = np.concatenate([self.affine(width, height), [[0, 0, 1]]])
        inverse = np.linalg.inv(m)[:2].flatten()
        mask = Image.fromarray(ones).transform(
            self.output_size(width, height), Image.AFFINE, tuple(inverse),
            resample=Image.NEAREST, fillcolor=0)
        return np.asarray(mask) > 0


def _cos_sin(degrees: float) -> Tuple[float, float]:
    """cos and sin, exact at multiples of 90 degrees."""
    quarter, rest = divmod(degrees, 90)
    if rest == 0:
        return [(1., 0.), (0., 1.), (-1., 0.), (0., -1.)][int(quarter) % 4]
    rad = math.radians(degrees)
    return math.cos(rad), math.sin(rad)


def sweep(angles: Sequence[float],
          scales: Sequence[float]) -> Tuple[ReferenceTransform, ...]:
    """The transformations of a sweep: the rotations, then the scalings (a
    rotation by 0 and a scaling by 1 are the same reference: ``is_identity``
    says so, and the benchmark measures it once)."""
    out = [ReferenceTransform('rotation', float(a)) for a in angles]
    out += [ReferenceTransform('scale', float(s)) for s in scales]
    return tuple(out)
