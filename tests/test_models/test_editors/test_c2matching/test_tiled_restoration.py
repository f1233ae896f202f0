"""Tiled restoration: the untiled output, tile by tile, in bounded memory."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmagic.registry import MODELS
from c2m_mmagic.models.archs import (banded_trunk_features,
                                     bilinear_samples, build_vgg_trunk,
                                     receptive_field)
from c2m_mmagic.models.editors.c2matching.inference import (settings,
                                                            tiled_generator)
from c2m_mmagic.models.editors.c2matching.inference.reference_maps import \
    ReferenceMaps
from c2m_mmagic.models.editors.c2matching.reference_mosaic import (
    mosaic_layout, place)
from helpers import make_batch, model_cfg, real_pair, several_references_batch


def textured_model():
    """A small model with every branch active: learned offsets a fraction
    of a pixel, the same random branches for matching."""
    torch.manual_seed(0)
    cfg = model_cfg('c2matching-rec_cufed.py', num_blocks=2)
    cfg.model.test_cfg = dict(tile_progress=False)
    model = MODELS.build(cfg.model).eval()
    model.extractor.init_weights()
    for name in ('small', 'medium', 'large'):
        agg = getattr(model.generator, f'{name}_dyn_agg')
        torch.nn.init.normal_(agg.conv_offset_mask.weight, std=0.01)
    return model


def restore(model, batch, tile=None):
    model.update_test_cfg(tile=tile)
    with torch.no_grad():
        return model(batch['inputs'], batch['data_samples'], mode='tensor')


def assert_same_image(tiled, untiled):
    """Within one grey level on 99.9% of the uint8 pixels (the target),
    and in fact within float rounding."""
    as_uint8 = [(t.clamp(0, 1) * 255).round() for t in (tiled, untiled)]
    within = float((as_uint8[0] - as_uint8[1]).abs().le(1).float().mean())
    assert within >= 0.999
    torch.testing.assert_close(tiled, untiled, rtol=0, atol=1e-4)


@pytest.fixture(scope='module')
def unequal_pair():
    """An odd-sized input (29x43 LR: not a multiple of any tile below) on
    the stereo pair's textured engine, a smaller reference."""
    gt, ref = real_pair((116, 172))
    return make_batch(gt, ref[:96, :140], n=1)


@pytest.mark.parametrize('tile', [16, 21, 40])
def test_tiles_of_any_size_give_the_untiled_output(unequal_pair, tile):
    model = textured_model()
    batch = model.data_preprocessor(unequal_pair, False)
    assert_same_image(restore(model, batch, tile), restore(model, batch))


def test_finer_grids_in_smaller_tiles_give_the_untiled_output(
        unequal_pair, monkeypatch):
    """Tiles of 21 LR pixels, at most 30 a side on the finer grids (as the
    CPU's 256 caps a 512-pixel finest tile): still the untiled output."""
    model = textured_model()
    batch = model.data_preprocessor(unequal_pair, False)
    untiled = restore(model, batch)
    monkeypatch.setitem(settings.MAX_TILE_SIDE, 'cpu', 30)
    passes = []
    monkeypatch.setattr(tiled_generator.TiledGenerator, 'content',
                        lambda self, x, bar, f=tiled_generator.
                        TiledGenerator.content: passes.append(
                            self.passes(*x.shape[-2:])) or f(self, x, bar))
    assert_same_image(restore(model, batch, 21), untiled)
    # 29x43 LR by 21: 2x3 tiles for the content and at x1; by 30 (not 42,
    # 84): 2x3 at x2 (58x86) and 4x6 at x4 (116x172), not 2x3
    assert passes == [6 + 6 + 6 + 24]


def test_a_halo_narrower_than_the_receptive_field_would_show(
        unequal_pair, monkeypatch):
    """The halos are what makes tiles stitch: with one pixel each, the
    output visibly differs at the tile edges (the test above would fail)."""
    model = textured_model()
    batch = model.data_preprocessor(unequal_pair, False)
    untiled = restore(model, batch)
    monkeypatch.setattr(tiled_generator, 'tile_halos',
                        lambda blocks: dict(content=1, scale=1,
                                            last_scale=1))
    narrow = restore(model, batch, 16)
    assert float((narrow - untiled).abs().max()) > 1e-2


def test_several_references_are_tiled_as_their_mosaic():
    gt, ref = real_pair((64, 96))
    model = textured_model()
    batch = model.data_preprocessor(
        several_references_batch(gt, [ref[:56, :84], ref, ref[8:, 12:]]),
        False)
    assert_same_image(restore(model, batch, 16), restore(model, batch))


def test_outputs_over_the_budget_are_tiled_and_the_choice_logged(
        unequal_pair):
    from mmengine.logging import MMLogger
    model = textured_model()
    batch = model.data_preprocessor(unequal_pair, False)
    untiled = restore(model, batch)
    model.update_test_cfg(max_pixels_per_pass=80 * 80)  # tiles of 20 LR
    logger = MMLogger.get_current_instance()
    messages = []
    handler = type('Collect', (__import__('logging').Handler, ), dict(
        emit=lambda self, record: messages.append(record.getMessage())))()
    logger.addHandler(handler)
    try:
        tiled = restore(model, batch)
        restore(model, batch)
    finally:
        logger.removeHandler(handler)
    assert_same_image(tiled, untiled)
    logged = [m for m in messages if 'tiled restoration' in m]
    assert len(logged) == 1 and 'tiles of 20 LR pixels' in logged[0]


def test_tiles_under_sixteen_pixels_are_refused():
    cfg = model_cfg('c2matching-rec_cufed.py')
    cfg.model.test_cfg = dict(tile=8)
    with pytest.raises(ValueError, match='tile must be at least 16'):
        MODELS.build(cfg.model)


def test_banded_vgg_features_equal_one_pass():
    """In float64 (no rounding to hide behind): bands with their halo give
    one pass's relu2_1 and relu3_1 exactly; the halo covers the receptive
    field of relu3_1 (13 pixels at stride 4)."""
    torch.manual_seed(0)
    trunk = build_vgg_trunk('vgg19', 'relu3_1').double()
    img = torch.randn(2, 3, 68, 40, dtype=torch.float64)
    assert receptive_field(trunk, 'relu3_1') == (13, 4)
    whole = {k: v for k, v in zip(('relu2_1', 'relu3_1'), (
        trunk[:7](img), trunk(img)))}
    banded = banded_trunk_features(trunk, img, ['relu2_1', 'relu3_1'],
                                   2 * 64 * 40 * 40)
    for layer in whole:
        torch.testing.assert_close(banded[layer], whole[layer], rtol=0,
                                   atol=1e-12)


def test_relu1_1_where_it_is_read_equals_the_stored_map():
    """Computed on demand at the sampled corners and on crops, relu1_1 is
    the dense map's, zero outside the reference and in the mosaic's gaps."""
    torch.manual_seed(1)
    conv = torch.nn.Conv2d(3, 16, 3, 1, 1).double()
    images = [torch.randn(1, 3, 10, 12, dtype=torch.float64),
              torch.randn(1, 3, 7, 9, dtype=torch.float64)]
    layout = mosaic_layout([(10, 12), (7, 9)], 2)  # at scale 1 here
    dense = place([F.relu(conv(img)) for img in images], layout, 1)
    inside = place([torch.ones(1, 1, *img.shape[-2:], dtype=torch.bool)
                    for img in images], layout, 1)
    source = ReferenceMaps({}, place(images, layout, 1), conv, inside)
    g = torch.Generator().manual_seed(2)
    pos_y = torch.rand(1, 4, 9, 3, 5, generator=g,
                       dtype=torch.float64) * 14 - 2
    pos_x = torch.rand(1, 4, 9, 3, 5, generator=g,
                       dtype=torch.float64) * 27 - 2
    torch.testing.assert_close(
        source.sample('relu1_1', pos_y, pos_x),
        bilinear_samples(dense, pos_y, pos_x), rtol=0, atol=1e-12)
    torch.testing.assert_close(source.crop('relu1_1', -2, 8, 10, 20),
                               F.pad(dense, (0, 0, 2, 0))[..., 0:10, 10:20],
                               rtol=0, atol=1e-12)


def test_region_offsets_are_the_whole_maps_crop():
    from c2m_mmagic.models.editors.c2matching.correspondence import (
        region_offsets, shifted_offsets)
    g = torch.Generator().manual_seed(4)
    flow = torch.randint(-5, 6, (2, 9, 11, 2), generator=g).float()
    for scale in (1, 2, 4):
        whole = shifted_offsets(flow, scale)
        for y0, y1, x0, x1 in ((0, 5, 0, 7), (3, 9 * scale, 2, 11 * scale),
                               (7, 8, 13, 21), (1, 4, 0, 2)):
            if y1 > 9 * scale or x1 > 11 * scale:
                continue
            assert torch.equal(region_offsets(flow, scale, y0, y1, x0, x1),
                               whole[:, :, y0:y1, x0:x1])


def test_uint8_pixels_within_one_level_on_real_weights_size(tmp_path):
    """The target measured as the tools see it: a converted released-format
    checkpoint (16 blocks), tiled against untiled through mmagic's
    inferencer on real photos."""
    import os.path as osp

    from PIL import Image

    from c2m_mmagic.apis import RefSRInferencer
    from helpers import REPO, converted_random_release
    ckpt = converted_random_release(str(tmp_path))
    gt, ref = real_pair((140, 188))
    Image.fromarray(gt).resize((47, 35), Image.BICUBIC).save(
        tmp_path / 'lr.png')
    Image.fromarray(ref).save(tmp_path / 'ref.png')
    config = osp.join(REPO, 'configs', 'c2matching_cufed.py')
    outputs = [
        RefSRInferencer(config, ckpt, 'cpu', test_cfg=test_cfg).restore(
            str(tmp_path / 'lr.png'), str(tmp_path / 'ref.png'))
        for test_cfg in (None, dict(tile=16, tile_progress=False))
    ]
    diff = np.abs(outputs[0].astype(int) - outputs[1].astype(int))
    assert outputs[0].shape == (140, 188, 3)
    assert (diff <= 1).mean() >= 0.999
