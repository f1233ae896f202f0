"""CUFED pipelines: PIL-bicubic degradations, shared flips, mod-crop."""
import copy
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from PIL import Image

from c2m_mmagic.datasets import RefSRDataset
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


def test_dataset_reports_missing_and_unreadable_files(tmp_path):
    root = tmp_path / 'CUFED5'
    root.mkdir()
    gt, ref = real_pair((48, 64))
    for i in range(3):
        write(root, f'00{i}_0.png', gt)
    write(root, '000_1.png', ref)
    (root / '001_1.png').write_bytes(b'not an image')
    with pytest.raises(ValueError) as err:
        RefSRDataset(
            data_root=str(root), data_prefix=dict(gt='', ref=''),
            filename_tmpl=dict(gt='{}_0', ref='{}_1'), pipeline=[])
    message = str(err.value)
    assert '001_1.png: unreadable' in message and '002_1.png: missing' in message
    assert '000_1.png' not in message


def infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def test_reference_protocols(tmp_path):
    gt, ref = real_pair((48, 64))
    (tmp_path / 'input').mkdir()
    for name in ('a', 'b', 'c'):
        write(tmp_path / 'input', f'{name}.png', gt)
        (tmp_path / 'ref' / name).mkdir(parents=True)
        write(tmp_path / 'ref' / name, 'z.png', ref)
        write(tmp_path / 'ref' / name, 'k.png', ref)
    sun = RefSRDataset(data_root=str(tmp_path),
                       data_prefix=dict(gt='input', ref='ref'),
                       ref_protocol='first_in_folder', pipeline=[])
    assert [osp.relpath(d['ref_path'], tmp_path) for d in infos(sun)] == [
        'ref/a/k.png', 'ref/b/k.png', 'ref/c/k.png']
    manga = RefSRDataset(data_root=str(tmp_path / 'input'),
                         data_prefix=dict(gt=''), ref_protocol='next_in_set',
                         pipeline=[])
    assert [osp.basename(d['ref_path']) for d in infos(manga)] == [
        'b.png', 'c.png', 'a.png']
