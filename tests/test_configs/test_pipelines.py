"""The configs' pipelines: PIL-bicubic degradations, shared flips, mod-crop,
the release's padding of unequal test pairs."""
import copy
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from PIL import Image

from helpers import REPO, real_pair


@pytest.fixture(scope='module')
def cfg():
    return Config.fromfile(osp.join(REPO, 'configs', 'c2matching_cufed.py'))


def write(folder, name, img):
    path = osp.join(folder, name)
    Image.fromarray(img).save(path)
    return path


def test_test_pipeline_degradations_equal_pil(cfg, tmp_path):
    gt, ref = real_pair((98, 131))  # not multiples of 4
    out = Compose(copy.deepcopy(cfg.test_pipeline))(dict(
        gt_path=write(tmp_path, 'gt.png', gt),
        ref_path=write(tmp_path, 'ref.png', ref)))
    sample = out['data_samples']
    cropped = gt[:96, :128]
    lr = Image.fromarray(cropped).resize((32, 24), Image.BICUBIC)
    up = lr.resize((128, 96), Image.BICUBIC)
    np.testing.assert_array_equal(
        out['inputs'].permute(1, 2, 0).numpy(), np.asarray(lr))
    np.testing.assert_array_equal(
        sample.img_lq.permute(1, 2, 0).numpy(), np.asarray(up))
    np.testing.assert_array_equal(
        sample.gt_img.permute(1, 2, 0).numpy(), cropped)
    assert tuple(sample.ref_img.shape) == (3, 96, 128)


def test_train_pipeline_flips_pairs_alike_and_resizes_ref(cfg, tmp_path):
    gt, ref = real_pair((160, 160))
    ref_big = np.asarray(Image.fromarray(ref).resize((200, 180)))
    pipeline = Compose(copy.deepcopy(cfg.train_pipeline))
    expected_ref = np.asarray(
        Image.fromarray(ref_big).resize((160, 160), Image.BICUBIC))
    paths = dict(gt_path=write(tmp_path, 'g.png', gt),
                 ref_path=write(tmp_path, 'r.png', ref_big))
    seen = set()
    for seed in range(12):
        np.random.seed(seed)
        out = pipeline(dict(paths))
        g = out['data_samples'].gt_img.permute(1, 2, 0).numpy()
        r = out['data_samples'].ref_img.permute(1, 2, 0).numpy()
        # the same flip/transpose draw was applied to both
        for op_name, op in (('id', lambda a: a), ('h', lambda a: a[:, ::-1]),
                            ('v', lambda a: a[::-1]),
                            ('t', lambda a: a.transpose(1, 0, 2))):
            for op2_name, op2 in (('id', lambda a: a),
                                  ('hv', lambda a: a[::-1, ::-1])):
                if np.array_equal(op2(op(gt)), g):
                    assert np.array_equal(op2(op(expected_ref)), r)
                    seen.add(op_name + op2_name)
        assert out['inputs'].shape == (3, 40, 40)
    assert len(seen) > 1


def test_unequal_test_pair_is_padded_before_the_lr_image_is_made(
        cfg, tmp_path):
    """docs/method.md §1: both HR images zero-padded (bottom/right) to the common
    size, LR and upsampled LR made from the padded input, the metrics' GT
    left as it was and the output size recorded."""
    gt, ref = real_pair((120, 160))
    gt, ref = gt[:98, :131], ref[:113, :101]  # taller but narrower ref
    out = Compose(copy.deepcopy(cfg.test_pipeline))(dict(
        gt_path=write(tmp_path, 'gt.png', gt),
        ref_path=write(tmp_path, 'ref.png', ref)))
    sample = out['data_samples']
    padded = np.zeros((112, 128, 3), np.uint8)  # max of the mod-4 crops
    padded[:96, :128] = gt[:96, :128]
    lr = Image.fromarray(padded).resize((32, 28), Image.BICUBIC)
    np.testing.assert_array_equal(
        out['inputs'].permute(1, 2, 0).numpy(), np.asarray(lr))
    np.testing.assert_array_equal(
        sample.img_lq.permute(1, 2, 0).numpy(),
        np.asarray(lr.resize((128, 112), Image.BICUBIC)))
    ref_padded = np.zeros((112, 128, 3), np.uint8)
    ref_padded[:112, :100] = ref[:112, :100]
    np.testing.assert_array_equal(
        sample.ref_img.permute(1, 2, 0).numpy(), ref_padded)
    np.testing.assert_array_equal(
        sample.gt_img.permute(1, 2, 0).numpy(), gt[:96, :128])
    assert tuple(sample.metainfo['unpadded_size']) == (96, 128)
    assert sample.metainfo['img_channel_order'] == 'rgb'


def test_images_are_decoded_as_the_release_decodes_them(cfg, tmp_path):
    """OpenCV decoding (the release's), RGB: 16-bit PNGs become 8 bits."""
    gt, ref = real_pair((48, 64))
    deep = (gt.astype(np.uint16) * 257)
    import cv2
    cv2.imwrite(str(tmp_path / 'gt16.png'), deep[..., ::-1])
    out = Compose(copy.deepcopy(cfg.test_pipeline))(dict(
        gt_path=str(tmp_path / 'gt16.png'),
        ref_path=write(tmp_path, 'ref.png', ref)))
    np.testing.assert_array_equal(
        out['data_samples'].gt_img.permute(1, 2, 0).numpy(), gt)
