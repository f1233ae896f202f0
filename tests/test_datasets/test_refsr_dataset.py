"""RefSRDataset: reference protocols, pair lists, up-front file checks."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from c2m_mmagic.datasets import RefSRDataset
from helpers import REPO, real_pair

SHARED_PAIRS = osp.join(osp.dirname(REPO), 'shared', 'data', 'benchmark_pairs')


def write(folder, name, img):
    path = osp.join(folder, name)
    Image.fromarray(img).save(path)
    return path


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


def test_pair_list_keeps_its_order_and_names_bad_lines(tmp_path):
    gt, ref = real_pair((16, 16))
    for folder in ('input', 'ref'):
        (tmp_path / folder).mkdir()
    for name in ('b.png', 'a.png'):
        write(tmp_path / 'input', name, gt)
    write(tmp_path / 'ref', 'x_ref.png', ref)
    (tmp_path / 'pairs.txt').write_text(
        '# input reference\nb.png x_ref.png\n\na.png x_ref.png  # same\n')
    pairs = RefSRDataset(data_root=str(tmp_path), ann_file='pairs.txt',
                         data_prefix=dict(gt='input', ref='ref'), pipeline=[])
    assert [(osp.basename(d['gt_path']), osp.relpath(d['ref_path'], tmp_path))
            for d in infos(pairs)] == [('b.png', 'ref/x_ref.png'),
                                       ('a.png', 'ref/x_ref.png')]
    selfref = RefSRDataset(data_root=str(tmp_path), ann_file='pairs.txt',
                           data_prefix=dict(gt='input'), ref_protocol='self',
                           pipeline=[])
    assert all('ref_path' not in d for d in infos(selfref))
    (tmp_path / 'bad.txt').write_text('b.png x_ref.png\na.png\n')
    with pytest.raises(ValueError, match=r'bad.txt, line 2: expected'):
        RefSRDataset(data_root=str(tmp_path), ann_file='bad.txt',
                     data_prefix=dict(gt='input', ref='ref'), pipeline=[])
    with pytest.raises(FileNotFoundError, match='pair list not found.*no.txt'):
        RefSRDataset(data_root=str(tmp_path), ann_file='no.txt',
                     data_prefix=dict(gt='input', ref='ref'), pipeline=[])
    (tmp_path / 'missing.txt').write_text('a.png nowhere.png\n')
    with pytest.raises(ValueError, match='nowhere.png: missing'):
        RefSRDataset(data_root=str(tmp_path), ann_file='missing.txt',
                     data_prefix=dict(gt='input', ref='ref'), pipeline=[])


# benchmark config -> (its pair list, number of pairs, first pair); the
# counts are the sets' sizes (the lists end without a newline, so `wc -l`
# shows one less)
BENCHMARK_LISTS = {
    'c2matching_cufed5.py': ('CUFED5_pairs.txt', 126,
                             ('000_0.png', '000_1.png')),
    'c2matching_wrsr.py': ('WR-SR_pairs.txt', 80, ('001.png', '001_ref.png')),
    'c2matching_sun80.py': ('SUN80_pairs.txt', 80, ('001.jpg', '001_1.jpg')),
    'c2matching_urban100.py': ('Urban100_pairs.txt', 100, ('001.png', None)),
    'c2matching_manga109.py': ('Manga109_pairs.txt', 109,
                               ('001.png', '003_1.png')),
}


@pytest.mark.skipif(
    not osp.isdir(SHARED_PAIRS),
    reason=f'the benchmark pair lists are not at {SHARED_PAIRS}')
@pytest.mark.parametrize('config', sorted(BENCHMARK_LISTS))
def test_benchmark_configs_read_the_release_pair_lists(config, tmp_path):
    """Each benchmark config, pointed at its list from ../shared, pairs
    exactly the listed files in its documented layout."""
    from mmengine.config import Config
    list_name, count, first = BENCHMARK_LISTS[config]
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'benchmarks', config))
    dataset = cfg.test_dataloader.dataset
    root = tmp_path / 'set'
    with open(osp.join(SHARED_PAIRS, list_name)) as f:
        pairs = [line.split() for line in f if line.strip()]
    tiny = np.zeros((16, 16, 3), np.uint8)
    for inp, ref in pairs:
        for prefix, name in (('gt', inp), ('ref', ref)):
            if prefix in dataset.data_prefix:
                path = root / dataset.data_prefix[prefix] / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    Image.fromarray(tiny).save(path, format='PNG')
    # the config names the list relative to the set's folder
    assert dataset.ann_file == f'../{list_name}'
    dataset.update(data_root=str(root), pipeline=[])
    (tmp_path / list_name).write_text(
        open(osp.join(SHARED_PAIRS, list_name)).read())
    data = infos(RefSRDataset(**{k: v for k, v in dataset.items()
                                 if k != 'type'}))
    assert len(data) == count == len(pairs)
    assert osp.basename(data[0]['gt_path']) == first[0]
    assert (osp.basename(data[0]['ref_path'])
            if 'ref_path' in data[0] else None) == first[1]
    listed = [(osp.basename(d['gt_path']),
               osp.basename(d.get('ref_path', d['gt_path']))) for d in data]
    assert listed == [(i, r) for i, r in pairs]


def test_several_references_per_input(tmp_path):
    """A pair-list line naming several references, and 'all_numbered':
    every <name>_<n> of the reference folder, in order of n."""
    img = np.zeros((16, 16, 3), np.uint8)
    for name in ('001_0', '001_1', '001_2', '001_10', '002_0', '002_1'):
        write(tmp_path, f'{name}.png', img)
    levels = RefSRDataset(data_root=str(tmp_path),
                          data_prefix=dict(gt='', ref=''),
                          filename_tmpl=dict(gt='{}_0'),
                          ref_protocol='all_numbered', pipeline=[])
    assert [[osp.basename(p) for p in d['ref_path']] for d in infos(levels)
            ] == [['001_1.png', '001_2.png', '001_10.png'], ['002_1.png']]
    (tmp_path / 'pairs.txt').write_text('001_0.png 001_2.png 002_1.png\n'
                                        '002_0.png 002_1.png\n')
    listed = RefSRDataset(data_root=str(tmp_path), ann_file='pairs.txt',
                          data_prefix=dict(gt='', ref=''), pipeline=[])
    assert [d['ref_path'] if isinstance(d['ref_path'], str) else
            [osp.basename(p) for p in d['ref_path']] for d in infos(listed)
            ] == [['001_2.png', '002_1.png'], str(tmp_path / '002_1.png')]
    (tmp_path / 'bad.txt').write_text('001_0.png 001_2.png 009_1.png\n')
    with pytest.raises(ValueError, match='009_1.png: missing'):
        RefSRDataset(data_root=str(tmp_path), ann_file='bad.txt',
                     data_prefix=dict(gt='', ref=''), pipeline=[])
