"""A small embedded Ref-SR dataset made from photos bundled with scikit-image.

The ``stereo_motorcycle`` left/right pair is a true input/reference pair with
parallax; for the other photos a displaced crop of the same photo is the
reference. Each photo is split: training pairs come from its top rows, the
test image from its bottom rows, so the test measures images the model did
not train on. Written on first use in CUFED layout (``CUFED/input``,
``CUFED/ref``: training) and CUFED5 layout (``CUFED5/NNN_0.png`` with
references ``NNN_1..5.png``, farther away with each level: test), plus two
pair lists: ``CUFED5_unrelated_pairs.txt`` gives each test image the level-1
reference of another photo (the reference ablation),
``CUFED5_true_plus_unrelated_pairs.txt`` its own and two others at once
(several references per input).
"""
import os.path as osp
from typing import Callable, Dict, List, Tuple

import numpy as np

from ..utils import write_image, write_text

PHOTOS = ('motorcycle', 'astronaut', 'chelsea', 'coffee', 'rocket')
TRAIN_SIZE = 160
TEST_SIZE = (120, 160)  # (h, w), multiples of 4
TEST_MARGIN = 10  # rows between the training rows and the test image
NUM_TRAIN_PER_PHOTO = 8
MAX_SHIFT = 24  # displacement of a training reference, pixels
REF_LEVELS = 5
UNRELATED_PAIRS = 'CUFED5_unrelated_pairs.txt'
# each test image with its true reference and two unrelated ones at once
DISTRACTOR_PAIRS = 'CUFED5_true_plus_unrelated_pairs.txt'


def _photos() -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """name -> (input photo, reference photo), uint8 RGB; the same array
    twice where the reference is a displaced crop of the input's photo."""
    from skimage import data
    photos = {}
    for name in PHOTOS:
        if name == 'motorcycle':
            left, right, _ = data.stereo_motorcycle()
            photos[name] = (left, right)
        else:
            img = getattr(data, name)()
            photos[name] = (img, img)
    return photos


def stereo_pair(size: Tuple[int, int] = (96, 128)
                ) -> Tuple[np.ndarray, np.ndarray]:
    """Centre crops of ``size`` (h, w) of scikit-image's stereo motorcycle
    pair: a true input/reference pair with parallax (uint8 RGB)."""
    from skimage import data
    left, right, _ = data.stereo_motorcycle()
    h, w = size
    y0, x0 = (left.shape[0] - h) // 2, (left.shape[1] - w) // 2
    return (np.ascontiguousarray(left[y0:y0 + h, x0:x0 + w]),
            np.ascontiguousarray(right[y0:y0 + h, x0:x0 + w]))


def _crop(img: np.ndarray, y: int, x: int, h: int, w: int,
          rows: int) -> np.ndarray:
    """The h×w window at (y, x), moved inside the first ``rows`` rows and
    the image's columns."""
    y = int(np.clip(y, 0, rows - h))
    x = int(np.clip(x, 0, img.shape[1] - w))
    return np.ascontiguousarray(img[y:y + h, x:x + w, :3])


def first_test_row(height: int) -> int:
    """First row of a photo's test image; training uses the rows above
    ``first_test_row(height) - TEST_MARGIN``."""
    return height - TEST_SIZE[0]


def _write_all(files: List[Tuple[str, Callable[[], np.ndarray]]]) -> None:
    for path, make in files:
        if not osp.isfile(path):
            write_image(make(), path)


def make_demo_dataset(root: str, seed: int = 0) -> Dict[str, str]:
    """Creates (or completes) the embedded dataset under ``root``.

    Args:
        root (str): Output folder; existing files are kept.
        seed (int): Seed of the crop positions.

    Returns:
        dict: 'cufed' and 'cufed5' folder paths and the 'unrelated' pair
        list.
    """
    rng = np.random.default_rng(seed)
    files = []
    photos = _photos()
    for index, (name, (img, ref)) in enumerate(photos.items()):
        h, w = img.shape[:2]
        stereo = ref is not img
        top = first_test_row(h)
        train_rows = top - TEST_MARGIN
        for i in range(NUM_TRAIN_PER_PHOTO):
            y = int(rng.integers(0, train_rows - TRAIN_SIZE + 1))
            x = int(rng.integers(0, w - TRAIN_SIZE + 1))
            # the stereo partner at the same place, or a displaced crop
            dy, dx = (0, 0) if stereo else rng.integers(
                -MAX_SHIFT, MAX_SHIFT + 1, 2)
            stem = f'{name}_{i:02d}'
            files.append(
                (osp.join(root, 'CUFED', 'input', stem + '.png'),
                 lambda img=img, y=y, x=x, r=train_rows: _crop(
                     img, y, x, TRAIN_SIZE, TRAIN_SIZE, r)))
            files.append(
                (osp.join(root, 'CUFED', 'ref', stem + '.png'),
                 lambda ref=ref, y=y + dy, x=x + dx, r=train_rows: _crop(
                     ref, y, x, TRAIN_SIZE, TRAIN_SIZE, r)))
        # the test image: bottom rows, centred; references farther away
        # (and taller) with each level, the stereo partner at level 1
        th, tw = TEST_SIZE
        y, x = top, (w - tw) // 2
        stem = f'{index:03d}'
        files.append((osp.join(root, 'CUFED5', stem + '_0.png'),
                      lambda img=img, y=y, x=x: _crop(img, y, x, th, tw, h)))
        for level in range(1, REF_LEVELS + 1):
            shift = 0 if stereo and level == 1 else 12 * level
            files.append(
                (osp.join(root, 'CUFED5', f'{stem}_{level}.png'),
                 lambda ref=ref, y=y - shift, x=x - shift, lh=th + 8 * level:
                 _crop(ref, y, x, lh, tw, h)))
    _write_all(files)
    count = len(photos)
    lists = {
        UNRELATED_PAIRS: [[i, (i + 1) % count] for i in range(count)],
        DISTRACTOR_PAIRS:
        [[i, i, (i + 1) % count, (i + 2) % count] for i in range(count)],
    }
    for name, rows in lists.items():
        path = osp.join(root, name)
        if not osp.isfile(path):
            text = ''.join(f'{row[0]:03d}_0.png ' +
                           ' '.join(f'{r:03d}_1.png' for r in row[1:]) + '\n'
                           for row in rows)
            write_text(text, path)
    return dict(
        cufed=osp.join(root, 'CUFED'),
        cufed5=osp.join(root, 'CUFED5'),
        unrelated=osp.join(root, UNRELATED_PAIRS),
        distractors=osp.join(root, DISTRACTOR_PAIRS))
