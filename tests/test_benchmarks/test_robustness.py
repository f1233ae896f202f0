"""The robustness benchmark: its transformations, the ground truth of its
matching accuracy, and table cells equal to tools/test.py on the same
transformed set."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from c2m_mmagic.benchmarks.reference_transforms import ReferenceTransform
from c2m_mmagic.benchmarks.robustness import (ModelSpec, RobustnessBenchmark,
                                              matching_accuracy)
from helpers import REPO, real_pair, run_tool

CUFED5_CONFIG = osp.join(REPO, 'configs', 'benchmarks', 'c2matching_cufed5.py')


def test_identity_transformations_give_the_reference_itself():
    _, ref = real_pair((60, 84))
    for t in (ReferenceTransform('rotation', 0.),
              ReferenceTransform('scale', 1.)):
        assert t.is_identity
        np.testing.assert_array_equal(t.apply(ref), ref)
        points = np.array([[0.5, 0.5], [83.5, 59.5], [10.25, 31.75]])
        np.testing.assert_allclose(t.map_points(points, 84, 60), points)


def test_a_quarter_turn_moves_every_pixel_where_the_benchmark_says():
    """Counter-clockwise by 90 degrees is numpy's rot90: the whole image
    kept (the canvas turns with it), every pixel centre mapped exactly."""
    _, ref = real_pair((40, 56))
    turn = ReferenceTransform('rotation', 90.)
    np.testing.assert_array_equal(turn.apply(ref), np.rot90(ref))
    ys, xs = np.mgrid[0:40, 0:56]
    centres = np.stack([xs + .5, ys + .5], -1)
    mapped = turn.map_points(centres, 56, 40) - .5
    # rot90: pixel (y, x) goes to (W-1-x, y)
    np.testing.assert_allclose(mapped[..., 0], ys)
    np.testing.assert_allclose(mapped[..., 1], 55 - xs)
    assert turn.content(56, 40).all()


def test_other_angles_keep_the_whole_reference_on_black_corners():
    _, ref = real_pair((40, 56))
    t = ReferenceTransform('rotation', 30.)
    out = t.apply(ref)
    cos, sin = np.cos(np.pi / 6), np.sin(np.pi / 6)
    assert out.shape[:2] == (int(np.ceil(56 * sin + 40 * cos)),
                             int(np.ceil(56 * cos + 40 * sin)))
    content = t.content(56, 40)
    assert out[~content].max() == 0 and not content[0, 0]
    # the four corners of the image land inside the canvas
    corners = t.map_points(np.array([[0., 0], [56, 0], [0, 40], [56, 40]]),
                           56, 40)
    assert (corners >= -1e-9).all()
    assert (corners <= [out.shape[1] + 1e-9, out.shape[0] + 1e-9]).all()
    scaled = ReferenceTransform('scale', 0.5).apply(ref)
    assert scaled.shape == (20, 28, 3)


class TrueFlow:
    """A correspondence that returns the true flow of a quarter turn
    (worked out on the feature grid, independently of the benchmark's
    geometry), shifted by ``offset`` feature pixels."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def flow(self, feat_in, feat_ref, **kwargs):
        _, _, h, w = feat_in.shape
        ys, xs = torch.meshgrid(torch.arange(h - 2), torch.arange(w - 2),
                                indexing='ij')
        # patch centre (y+1, x+1) goes to (w-1-(x+1), y+1); flows join
        # patch indices (top-left corners)
        to_x, to_y = ys + 1 - 1 + self.offset, (w - 1 - (xs + 1)) - 1
        flow = torch.stack((to_x - xs, to_y - ys), -1).float()
        return torch.nn.functional.pad(flow, (0, 0, 0, 2, 0, 2))[None]


def test_the_matching_accuracy_knows_the_true_flow():
    """A match at the true transformed position counts within 1 pixel, one
    2 pixels off within 3 only: the benchmark's ground truth is the flow
    the transformation makes."""
    gt, _ = real_pair((64, 96))
    turn = ReferenceTransform('rotation', 90.)
    extractor = torch.nn.Module()
    extractor.feature_extraction_image1 = lambda img: img[:, :, ::4, ::4]
    extractor.feature_extraction_image2 = lambda img: img[:, :, ::4, ::4]
    exact = matching_accuracy(extractor, TrueFlow(0), 'pixel', [gt], turn)
    assert exact['acc@1'] == 1.0 and exact['points'] > 100
    off = matching_accuracy(extractor, TrueFlow(2), 'pixel', [gt], turn)
    assert off['acc@1'] == 0.0 and off['acc@3'] == 1.0


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """Seeded random weights of the CUFED5 test config's model with two
    blocks per stage (``SMALL``)."""
    from c2m_mmagic.apis import build_model, random_weights_config
    torch.manual_seed(0)
    model = build_model(random_weights_config(CUFED5_CONFIG, 2))
    for name in ('small', 'medium', 'large'):  # offsets that move
        agg = getattr(model.generator, f'{name}_dyn_agg')
        torch.nn.init.normal_(agg.conv_offset_mask.weight, std=1e-3)
    path = str(tmp_path_factory.mktemp('ckpt') / 'small.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


SMALL = ['model.generator.num_blocks=2', 'test_dataloader.num_workers=0']


@pytest.mark.one_stack  # a cell against tools/test.py: one code path
def test_cells_equal_tools_test_on_the_transformed_set(demo_root, checkpoint,
                                                       tmp_path):
    """Each quality cell is what tools/test.py gives on the kept set; the
    identity is measured once; tables and plots are written."""
    data = osp.join(demo_root, 'CUFED5')
    out = str(tmp_path / 'out')
    spec = ModelSpec('C2M', CUFED5_CONFIG, checkpoint, SMALL)
    bench = RobustnessBenchmark([spec], data, 1, [0, 30], [1, 0.5], out,
                                keep_sets=str(tmp_path / 'sets'))
    results = bench.run()
    quality = results['quality']['C2M']
    assert quality['rotation_0'] == quality['scale_1']
    for name in ('robustness.md', 'robustness.csv', 'robustness.json',
                 'rotation.png', 'scale.png'):
        assert osp.getsize(osp.join(out, name)) > 0
    from PIL import Image
    assert Image.open(osp.join(out, 'rotation.png')).size[0] > 400
    assert set(results['matching']) == {
        'C2M (its correspondence network)', 'plain VGG features'}
    work = str(tmp_path / 'test_tool')
    proc = run_tool(
        'tools/test.py', CUFED5_CONFIG, checkpoint, '--work-dir', work,
        '--cfg-options',
        f'test_dataloader.dataset.data_root={tmp_path}/sets/rotation_30',
        'test_dataloader.dataset.ann_file=', *SMALL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = json.load(open(osp.join(work, 'results.json')))['results']
    row = next(iter(table.values()))
    assert row['PSNR'] == pytest.approx(quality['rotation_30']['PSNR'],
                                        abs=1e-9)
    assert row['SSIM'] == pytest.approx(quality['rotation_30']['SSIM'],
                                        abs=1e-9)
    # bicubic without the release's padding (the same for every
    # reference): within a hundredth of a dB of the padded one
    assert row['bicubic PSNR'] == pytest.approx(results['bicubic']['PSNR'],
                                                abs=0.01)
