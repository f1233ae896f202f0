"""tools/inference.py: one pair or folders, through mmagic's inferencer."""
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from c2m_mmagic.apis import RefSRInferencer
from helpers import REPO, converted_random_release, real_pair, run_tool

CONFIG = osp.join(REPO, 'configs', 'c2matching_cufed.py')


@pytest.fixture(scope='module')
def converted(tmp_path_factory):
    return converted_random_release(str(tmp_path_factory.mktemp('ckpt')))


def lr_of(gt):
    h, w = gt.shape[:2]
    return Image.fromarray(gt).resize((w // 4, h // 4), Image.BICUBIC)


def test_one_pair_equals_the_python_api(tmp_path, converted):
    gt, ref = real_pair((64, 96))
    lr_of(gt).save(tmp_path / 'lr.png')
    Image.fromarray(ref[:60, :90]).save(tmp_path / 'ref.png')  # not mod 4
    Image.fromarray(gt).save(tmp_path / 'gt.png')
    out, panel = str(tmp_path / 'sr.png'), str(tmp_path / 'cmp.png')
    proc = run_tool('tools/inference.py', CONFIG, converted, '--img',
                    str(tmp_path / 'lr.png'), '--ref',
                    str(tmp_path / 'ref.png'), '--out', out, '--compare',
                    panel, '--gt', str(tmp_path / 'gt.png'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    sr = np.asarray(Image.open(out))
    api = RefSRInferencer(CONFIG, converted, 'cpu').restore(
        str(tmp_path / 'lr.png'), str(tmp_path / 'ref.png'))
    np.testing.assert_array_equal(api, sr)
    cmp = np.asarray(Image.open(panel))
    assert cmp.shape[0] > 64 and cmp.shape[1] >= 4 * 96
    assert sr.shape == (64, 96, 3)


def test_folders_pair_by_name_or_list_and_skip_nothing(tmp_path, converted):
    gt, ref = real_pair((48, 64))
    for folder in ('lr', 'ref', 'lr2'):
        (tmp_path / folder).mkdir()
    for i, name in enumerate(('a', 'b')):
        lr_of(np.roll(gt, 8 * i, axis=1)).save(tmp_path / 'lr' / f'{name}.png')
        Image.fromarray(ref).save(tmp_path / 'ref' / f'{name}.jpg')
    proc = run_tool('tools/inference.py', CONFIG, converted, '--img',
                    str(tmp_path / 'lr'), '--ref', str(tmp_path / 'ref'),
                    '--out', str(tmp_path / 'out'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(os.listdir(tmp_path / 'out')) == ['a.png', 'b.png']
    inferencer = RefSRInferencer(CONFIG, converted, 'cpu')
    for name in ('a', 'b'):
        np.testing.assert_array_equal(
            np.asarray(Image.open(tmp_path / 'out' / f'{name}.png')),
            inferencer.restore(str(tmp_path / 'lr' / f'{name}.png'),
                               str(tmp_path / 'ref' / f'{name}.jpg')))
    # a pair list names other pairings
    (tmp_path / 'pairs.txt').write_text('a.png b.jpg\n')
    proc = run_tool('tools/inference.py', CONFIG, converted, '--img',
                    str(tmp_path / 'lr'), '--ref', str(tmp_path / 'ref'),
                    '--pairs', str(tmp_path / 'pairs.txt'), '--out',
                    str(tmp_path / 'listed'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert os.listdir(tmp_path / 'listed') == ['a.png']
    # an input without a reference stops everything before any work
    lr_of(gt).save(tmp_path / 'lr' / 'c.png')
    proc = run_tool('tools/inference.py', CONFIG, converted, '--img',
                    str(tmp_path / 'lr'), '--ref', str(tmp_path / 'ref'),
                    '--out', str(tmp_path / 'none'))
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert 'no reference in' in proc.stderr and 'c.png' in proc.stderr
    assert not osp.exists(tmp_path / 'none')


def test_several_references_per_input(tmp_path, converted):
    """--ref a b c searches all of them; a pair-list line may name several."""
    gt, ref = real_pair((48, 64))
    (tmp_path / 'lr').mkdir()
    (tmp_path / 'refs').mkdir()
    lr_of(gt).save(tmp_path / 'lr' / 'a.png')
    from skimage import data
    Image.fromarray(ref).save(tmp_path / 'refs' / 'true.png')
    Image.fromarray(data.coffee()[:60, :80]).save(tmp_path / 'refs' / 'x.png')
    refs = [str(tmp_path / 'refs' / n) for n in ('true.png', 'x.png')]
    out = str(tmp_path / 'sr.png')
    proc = run_tool('tools/inference.py', CONFIG, converted, '--img',
                    str(tmp_path / 'lr' / 'a.png'), '--ref', *refs, '--out',
                    out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    inferencer = RefSRInferencer(CONFIG, converted, 'cpu')
    expected = inferencer.restore(str(tmp_path / 'lr' / 'a.png'), refs)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
    (tmp_path / 'pairs.txt').write_text('a.png true.png x.png\n')
    proc = run_tool('tools/inference.py', CONFIG, converted, '--img',
                    str(tmp_path / 'lr'), '--ref', str(tmp_path / 'refs'),
                    '--pairs', str(tmp_path / 'pairs.txt'), '--out',
                    str(tmp_path / 'folder'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_array_equal(
        np.asarray(Image.open(tmp_path / 'folder' / 'a.png')), expected)
