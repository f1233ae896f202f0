"""Named VGG trunks: torchvision's layers under the release's names."""
import pytest
import torch
import torchvision

from c2m_mmagic.models.archs import (build_vgg_trunk, load_torchvision_vgg,
                                     trunk_features, vgg_layer_names)
from c2m_mmagic.utils import CheckpointMismatchError


@pytest.mark.parametrize('vgg_type', ['vgg16', 'vgg19'])
def test_trunk_is_torchvisions_features_renamed(vgg_type, tmp_path):
    """Same layers in the same order; with torchvision's weights file the
    named trunk computes what torchvision's ``features`` compute (float64)."""
    vgg = getattr(torchvision.models, vgg_type)(weights=None).double()
    names = vgg_layer_names(vgg_type)
    assert len(names) == len(vgg.features)
    trunk = build_vgg_trunk(vgg_type, 'relu4_1').double()
    for name, layer, tv_layer in zip(names, trunk, vgg.features):
        assert type(layer) is type(tv_layer), name
        if isinstance(layer, torch.nn.Conv2d):
            assert layer.weight.shape == tv_layer.weight.shape, name
    path = str(tmp_path / f'{vgg_type}.pth')
    torch.save(vgg.state_dict(), path)
    load_torchvision_vgg(trunk, vgg_type, path)
    x = torch.rand(2, 3, 32, 40, dtype=torch.float64)
    last = names.index('relu4_1')
    features = trunk_features(trunk, x, ('relu1_1', 'relu3_1', 'relu4_1'))
    expected = x
    for index, layer in enumerate(vgg.features[:last + 1]):
        expected = layer(expected)
        if names[index] in features:
            torch.testing.assert_close(features[names[index]], expected,
                                       rtol=0, atol=1e-12)


def test_missing_or_misshaped_entries_are_named(tmp_path):
    trunk = build_vgg_trunk('vgg19', 'conv3_1')
    state = torchvision.models.vgg19(weights=None).state_dict()
    del state['features.10.bias']
    torch.save(state, tmp_path / 'cut.pth')
    with pytest.raises(CheckpointMismatchError,
                       match=r'ImageNet vgg19: .*cut.pth does not fit '
                       r'Sequential \(1 problems: missing conv3_1.bias'):
        load_torchvision_vgg(trunk, 'vgg19', str(tmp_path / 'cut.pth'),
                             owner='X')
    with pytest.raises(ValueError, match="'conv9_1' is not a layer"):
        build_vgg_trunk('vgg16', 'conv9_1')
