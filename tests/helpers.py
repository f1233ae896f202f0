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
    """scikit-image's stereo motorcycle pair, (gt, ref) centre crops of
    ``size``: a true input/reference pair."""
    from c2m_mmagic.datasets.demo_data import stereo_pair
    return stereo_pair(size)


def make_batch(gt: np.ndarray, ref: np.ndarray, n: int = 2) -> dict:
    """A packed batch as the pipeline gives it: LR inputs, and samples with
    ``gt_img``, ``ref_img`` and ``img_lq`` (PIL bicubic), all RGB, odd
    samples flipped left-right."""
    from PIL import Image

    from mmagic.structures import DataSample
    h, w = gt.shape[:2]
    lr = np.asarray(Image.fromarray(gt).resize((w // 4, h // 4), Image.BICUBIC))
    up = np.asarray(Image.fromarray(lr).resize((w, h), Image.BICUBIC))

    def chw(a):
        return torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)

    inputs, samples = [], []
    for i in range(n):
        flip = (lambda a: a[:, ::-1]) if i % 2 else (lambda a: a)
        inputs.append(chw(flip(lr)))
        samples.append(
            DataSample(
                gt_img=chw(flip(gt)),
                ref_img=chw(flip(ref)),
                img_lq=chw(flip(up)),
                metainfo=dict(img_channel_order='rgb',
                              gt_channel_order='rgb')))
    return dict(inputs=inputs, data_samples=samples)


def several_references_batch(gt, refs):
    """One sample with K references stacked as StackReferences packs them."""
    import torch.nn.functional as F
    batch = make_batch(gt, refs[0], n=1)
    height = max(r.shape[0] for r in refs)
    width = max(r.shape[1] for r in refs)
    stacked = [
        F.pad(torch.from_numpy(np.ascontiguousarray(r)).permute(2, 0, 1),
              (0, width - r.shape[1], 0, height - r.shape[0])) for r in refs
    ]
    sample = batch['data_samples'][0]
    sample.ref_img = torch.stack(stacked)
    sample.set_metainfo(dict(ref_sizes=[r.shape[:2] for r in refs]))
    return batch


def model_cfg(name: str, num_blocks: int = 2):
    """A config with random, file-free weights: small generator, no VGG or
    stage checkpoints (the package's recipe)."""
    from c2m_mmagic.apis import random_weights_config
    return random_weights_config(name, num_blocks)


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


def bt601_y(rgb: np.ndarray) -> np.ndarray:
    """MATLAB rgb2ycbcr luma of uint8 RGB, float64 in [16, 235]."""
    rgb = rgb.astype(np.float64) / 255.
    return 16. + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + \
        24.966 * rgb[..., 2]


def psnr64(a, b):
    """PSNR of two float64 arrays on the 0-255 scale."""
    mse = np.mean((a - b)**2)
    return 10 * np.log10(255.**2 / mse)


def ssim64(a, b):
    """Wang et al. 2004: 11x11 Gaussian window (σ = 1.5), valid region."""
    from scipy.ndimage import correlate1d
    x = np.arange(11) - 5
    g = np.exp(-x**2 / (2 * 1.5**2))
    g /= g.sum()

    def filt(img):
        out = correlate1d(img, g, axis=0, mode='constant')
        out = correlate1d(out, g, axis=1, mode='constant')
        return out[5:-5, 5:-5]

    c1, c2 = (0.01 * 255)**2, (0.03 * 255)**2
    mu_a, mu_b = filt(a), filt(b)
    var_a = filt(a * a) - mu_a**2
    var_b = filt(b * b) - mu_b**2
    cov = filt(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return ssim_map.mean()


def y_metrics64(pred_rgb: np.ndarray, gt_rgb: np.ndarray, crop: int = 4):
    """(PSNR, SSIM) on the BT.601 Y channel with a ``crop``-pixel border,
    in float64 (docs/method.md §6)."""
    y_pred = bt601_y(pred_rgb)[crop:-crop, crop:-crop]
    y_gt = bt601_y(gt_rgb)[crop:-crop, crop:-crop]
    return psnr64(y_gt, y_pred), ssim64(y_gt, y_pred)


def fake_test_runner(work_dir: str, evaluators: list, names=None):
    """Just enough of an mmengine runner in its test loop for the test
    hooks: ``test_loop`` with the current ``evaluator`` and ``dataloader``
    (mmagic's MultiTestLoop keeps one per data set), a work dir, a logger.

    Returns:
        SimpleNamespace: The runner; set ``runner.test_loop.evaluator`` and
        ``.dataloader`` to move to the next data set.
    """
    from types import SimpleNamespace

    from mmengine.logging import MMLogger
    names = names or [f'set{i}' for i in range(len(evaluators))]
    loaders = [
        SimpleNamespace(dataset=SimpleNamespace(
            metainfo=dict(dataset_type=name))) for name in names
    ]
    loop = SimpleNamespace(evaluator=evaluators[0], dataloader=loaders[0],
                           evaluators=evaluators, dataloaders=loaders)
    return SimpleNamespace(
        test_loop=loop, work_dir=work_dir, experiment_name='experiment',
        logger=MMLogger.get_instance('c2m_tests'))


def predicted_sample(gt_rgb: np.ndarray, sr_rgb: np.ndarray, lq_rgb: np.ndarray,
                gt_path: str, ref_rgb=None, ref_path: str = ''):
    """A predicted sample as the test loop hands it to hooks: ``gt_img``
    and ``output.pred_img`` BGR floats, ``img_lq``/``ref_img`` RGB uint8;
    an ``img_lq`` larger than the ground truth was padded like the release's
    test (``unpadded_size`` says by how much)."""
    from mmagic.structures import DataSample

    def chw(a):
        return torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)

    sample = DataSample(
        gt_img=chw(gt_rgb[..., ::-1]).float(),
        img_lq=chw(lq_rgb),
        ref_img=chw(ref_rgb if ref_rgb is not None else gt_rgb),
        metainfo=dict(gt_path=gt_path, ref_path=ref_path))
    if lq_rgb.shape[:2] != gt_rgb.shape[:2]:
        sample.set_metainfo(dict(unpadded_size=gt_rgb.shape[:2]))
    sample.output = DataSample(pred_img=chw(sr_rgb[..., ::-1]).float())
    return sample
