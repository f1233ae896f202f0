"""The one checkpoint loader: unwrapping, prefixes, renaming, strict fit,
torch hub names, weights-only loading of mmengine checkpoints."""
import io

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from c2m_mmagic.models.archs import build_vgg_trunk, torchvision_revise_keys
from c2m_mmagic.utils import (CheckpointMismatchError, PortableHistoryBuffer,
                              load_weights, read_state_dict,
                              weights_only_globals)


def test_wrapped_and_module_prefixed_files_are_read(tmp_path):
    net = torch.nn.Linear(2, 1)
    state = net.state_dict()
    for name, obj in (('plain', state), ('params', {'params': state}),
                      ('state_dict', {'state_dict': state, 'meta': {}}),
                      ('module', {'module.' + k: v for k, v in state.items()})):
        torch.save(obj, tmp_path / f'{name}.pth')
        other = torch.nn.Linear(2, 1)
        load_weights(other, str(tmp_path / f'{name}.pth'))
        for key, value in state.items():
            assert torch.equal(other.state_dict()[key], value), name
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        read_state_dict(str(tmp_path / 'nowhere.pth'), 'x')


def test_prefix_and_strict_fit(tmp_path):
    net = torch.nn.Linear(3, 2)
    torch.save({'state_dict': {f'student.{k}': v + 1 for k, v in
                               net.state_dict().items()}},
               tmp_path / 'stage.pth')
    other = torch.nn.Linear(3, 2)
    load_weights(other, str(tmp_path / 'stage.pth'), prefix='student.')
    assert torch.equal(other.weight, net.weight + 1)
    with pytest.raises(CheckpointMismatchError, match="no entries under 'x.'"):
        load_weights(other, str(tmp_path / 'stage.pth'), prefix='x.')
    wide = torch.nn.Linear(4, 2)
    with pytest.raises(CheckpointMismatchError,
                       match=r'stage.pth does not fit Linear \(1 problems: '
                       r'weight: shape \(2, 3\), expected \(2, 4\)\)'):
        load_weights(wide, str(tmp_path / 'stage.pth'), prefix='student.')
    torch.save({'weight': net.weight}, tmp_path / 'half.pth')
    with pytest.raises(CheckpointMismatchError, match=r'missing bias \(2,\)'):
        load_weights(other, str(tmp_path / 'half.pth'))
    (tmp_path / 'cut.pth').write_bytes(
        (tmp_path / 'stage.pth').read_bytes()[:100])
    with pytest.raises(CheckpointMismatchError, match='cannot read .*cut.pth'):
        load_weights(other, str(tmp_path / 'cut.pth'))


def test_torchvision_names_resolve_to_the_hub_cache(tmp_path, monkeypatch):
    """torchvision://vgg19 is read from torch's hub cache, never fetched;
    its features.<i> entries land in the named trunk."""
    monkeypatch.setattr(torch.hub, 'get_dir', lambda: str(tmp_path))
    trunk = build_vgg_trunk('vgg19', 'conv2_1')
    with pytest.raises(FileNotFoundError,
                       match=r'torchvision://vgg19 is not in the torch hub '
                       r'cache \(.*checkpoints/vgg19-dcbb9e9d.pth\)'):
        load_weights(trunk, 'torchvision://vgg19')
    import torchvision
    vgg = torchvision.models.vgg19(weights=None)
    (tmp_path / 'checkpoints').mkdir()
    torch.save(vgg.state_dict(), tmp_path / 'checkpoints' / 'vgg19-dcbb9e9d.pth')
    load_weights(trunk, 'torchvision://vgg19',
                 revise_keys=torchvision_revise_keys('vgg19'),
                 allow_unexpected=True)
    assert torch.equal(trunk.conv2_1.weight, vgg.features[5].weight)


def test_mmengine_buffers_load_weights_only_within_the_block():
    buffer = HistoryBuffer()
    buffer.update(1.5)
    portable = PortableHistoryBuffer(*buffer.data, buffer.max_length)
    data = io.BytesIO()
    torch.save({'scalars': portable, 'arr': np.arange(3)}, data)
    before = torch.serialization.get_safe_globals()
    for _ in range(2):  # nested blocks leave the outer one intact
        with weights_only_globals():
            with weights_only_globals():
                pass
            data.seek(0)
            loaded = torch.load(data, weights_only=True)
    assert loaded['scalars'].mean() == 1.5
    assert torch.serialization.get_safe_globals() == before
    data.seek(0)
    with pytest.raises(Exception, match='PortableHistoryBuffer'):
        torch.load(data, weights_only=True)
    # mmengine's own buffer pickles its statistics through getattr
    raw = io.BytesIO()
    torch.save({'scalars': buffer}, raw)
    raw.seek(0)
    with weights_only_globals(), pytest.raises(Exception, match='getattr'):
        torch.load(raw, weights_only=True)


@pytest.mark.parametrize('written_by', ['numpy.core', 'numpy._core'])
def test_arrays_pickled_under_either_numpy_major_load(tmp_path, written_by):
    """A training checkpoint written under numpy 2 names
    numpy._core.multiarray, one written under numpy 1 numpy.core.multiarray:
    either loads on this stack, whatever its numpy."""
    import zipfile
    path = tmp_path / 'saved.pth'
    torch.save({'arr': np.arange(3)}, str(path))
    renamed = tmp_path / 'renamed.pth'
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(renamed, 'w') as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith('data.pkl'):
                for name in (b'numpy.core.multiarray',
                             b'numpy._core.multiarray'):
                    data = data.replace(name, written_by.encode() +
                                        b'.multiarray')
                assert written_by.encode() + b'.multiarray' in data
            dst.writestr(item, data)
    with weights_only_globals():
        loaded = torch.load(str(renamed), weights_only=True)
    np.testing.assert_array_equal(loaded['arr'], np.arange(3))
