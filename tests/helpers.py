"""Shared test material: released-format random weights and real photos."""
import json
import os.path as osp

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SPEC_KEYS = osp.join(osp.dirname(REPO), 'shared', 'spec',
                     'official_checkpoint_keys.json')


def released_shapes() -> dict:
    """Released keys and shapes: the spec's JSON when present, else the
    copy kept in tests/data (the two are compared by a test)."""
    path = SPEC_KEYS if osp.isfile(SPEC_KEYS) else osp.join(
        REPO, 'tests', 'data', 'official_checkpoint_keys.json')
    with open(path) as f:
        return {k: [(n, tuple(s)) for n, s in v] for k, v in json.load(f).items()}


def save_released_format(folder: str, seed: int = 0):
    """Writes random weights with exactly the released keys and shapes.

    Returns:
        tuple[str]: paths of the restoration, extractor and VGG19 files.
    """
    g = torch.Generator().manual_seed(seed)
    shapes = released_shapes()

    def rand(entries):
        return {k: torch.randn(*s, generator=g) * 0.05 for k, s in entries}

    net_g = rand(shapes['restoration_net_g'])
    net_e = rand(shapes['contras_extractor'])
    for branch in ('feature_extraction_image1', 'feature_extraction_image2'):
        net_e[f'{branch}.mean'] = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        net_e[f'{branch}.std'] = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    vgg_index = {'conv1_1': 0, 'conv1_2': 2, 'conv2_1': 5, 'conv2_2': 7,
                 'conv3_1': 10}
    vgg = {}
    for key, shape in shapes['correspondence_vgg19']:
        parts = key.split('.')
        if parts[1] == 'vgg_net':
            vgg[f'features.{vgg_index[parts[2]]}.{parts[3]}'] = torch.randn(
                *shape, generator=g) * 0.05
    paths = tuple(osp.join(folder, n) for n in ('net_g.pth', 'net_e.pth',
                                                'vgg19.pth'))
    torch.save({'params': net_g}, paths[0])
    torch.save(net_e, paths[1])
    torch.save(vgg, paths[2])
    return paths


def real_pair(size=(96, 128)):
    """scikit-image's stereo motorcycle pair: a true input/reference pair.

    Returns:
        tuple[np.ndarray]: (gt, ref) uint8 RGB, centre crops of ``size``.
    """
    from skimage import data
    left, right, _ = data.stereo_motorcycle()
    h, w = size
    y0, x0 = (left.shape[0] - h) // 2, (left.shape[1] - w) // 2
    return (np.ascontiguousarray(left[y0:y0 + h, x0:x0 + w]),
            np.ascontiguousarray(right[y0:y0 + h, x0:x0 + w]))


def run_tool(*args):
    """Runs a repository script with this Python, from the repository."""
    import subprocess
    import sys
    return subprocess.run([sys.executable, *args], capture_output=True,
                          text=True, cwd=REPO)


def converted_random_release(folder: str) -> str:
    """Random released-format weights converted by the tool; the path."""
    paths = save_released_format(folder)
    out = osp.join(folder, 'c2m.pth')
    proc = run_tool('tools/convert_official_ckpt.py', '--restoration',
                    paths[0], '--extractor', paths[1], '--vgg', paths[2],
                    '--out', out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out
