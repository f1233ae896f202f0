"""A small embedded Ref-SR dataset made from photos bundled with scikit-image.

The ``stereo_motorcycle`` left/right pair is a true input/reference pair with
parallax; the other photos give reference crops displaced from the input.
Images are written on first use in CUFED layout (``CUFED/input``,
``CUFED/ref``) and CUFED5 layout (``CUFED5/NNN_0.png`` + ``NNN_1..5.png``).
"""
import os
import os.path as osp
from typing import Callable, Dict, List, Tuple

import numpy as np
from PIL import Image

from ..utils import atomic_write

TRAIN_SIZE = 160
TEST_SIZE = (120, 160)  # (h, w), multiples of 4
NUM_TRAIN_PER_PHOTO = 6
REF_LEVELS = 5


def _photos() -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """name -> (input photo, reference photo), uint8 RGB."""
    from skimage import data
    left, right, _ = data.stereo_motorcycle()
    photos = {'motorcycle': (left, right)}
    for name in ('chelsea', 'coffee', 'astronaut', 'rocket'):
        img = getattr(data, name)()
        photos[name] = (img, img)
    return photos


def _crop(img: np.ndarray, y: int, x: int, h: int, w: int) -> np.ndarray:
    y = int(np.clip(y, 0, img.shape[0] - h))
    x = int(np.clip(x, 0, img.shape[1] - w))
    return np.ascontiguousarray(img[y:y + h, x:x + w, :3])


def _save(img: np.ndarray, path: str) -> None:
    atomic_write(path, lambda f: Image.fromarray(img).save(f, format='PNG'))


def _write_all(files: List[Tuple[str, Callable[[], np.ndarray]]]) -> None:
    for path, make in files:
        if not osp.isfile(path):
            os.makedirs(osp.dirname(path), exist_ok=True)
            _save(make(), path)


def make_demo_dataset(root: str, seed: int = 0) -> Dict[str, str]:
    """Creates (or completes) the embedded dataset under ``root``.

    Args:
        root (str): Output folder; existing files are kept.
        seed (int): Seed of the crop positions.

    Returns:
        dict: 'cufed' and 'cufed5' folder paths.
    """
    rng = np.random.default_rng(seed)
    files = []
    test_index = 0
    for name, (img, ref) in _photos().items():
        h, w = img.shape[:2]
        for i in range(NUM_TRAIN_PER_PHOTO):
            y = int(rng.integers(0, h - TRAIN_SIZE))
            x = int(rng.integers(0, w - TRAIN_SIZE))
            # the stereo partner at the same place, or a displaced crop
            dy, dx = (0, 0) if ref is not img else rng.integers(-24, 25, 2)
            stem = f'{name}_{i:02d}'
            files.append((osp.join(root, 'CUFED', 'input', stem + '.png'),
                          lambda img=img, y=y, x=x: _crop(
                              img, y, x, TRAIN_SIZE, TRAIN_SIZE)))
            files.append((osp.join(root, 'CUFED', 'ref', stem + '.png'),
                          lambda ref=ref, y=y + dy, x=x + dx: _crop(
                              ref, y, x, TRAIN_SIZE, TRAIN_SIZE)))
        # one test group per photo: references farther away with each level
        th, tw = TEST_SIZE
        y, x = (h - th) // 2, (w - tw) // 2
        stem = f'{test_index:03d}'
        test_index += 1
        files.append((osp.join(root, 'CUFED5', stem + '_0.png'),
                      lambda img=img, y=y, x=x: _crop(img, y, x, th, tw)))
        for level in range(1, REF_LEVELS + 1):
            shift = 0 if ref is not img and level == 1 else 12 * level
            files.append((osp.join(root, 'CUFED5', f'{stem}_{level}.png'),
                          lambda ref=ref, y=y + shift, x=x - shift: _crop(
                              ref, y, x, th + 8 * level, tw)))
    _write_all(files)
    return dict(
        cufed=osp.join(root, 'CUFED'), cufed5=osp.join(root, 'CUFED5'))
