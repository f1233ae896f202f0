"""Conversion of released weights into one mmengine checkpoint."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from mmagic.registry import MODELS
from c2m_mmagic.apis import convert_official
from c2m_mmagic.utils import CheckpointMismatchError
from helpers import REPO, SPEC_KEYS, released_shapes, save_released_format

CONFIG = osp.join(REPO, 'configs', 'c2matching_cufed.py')


def build_model(num_blocks=None):
    cfg = Config.fromfile(CONFIG)
    if num_blocks:
        cfg.model.generator.num_blocks = num_blocks
    return MODELS.build(cfg.model)


@pytest.mark.skipif(not osp.isfile(SPEC_KEYS), reason='spec not beside repo')
def test_key_copy_in_tests_matches_the_spec():
    with open(SPEC_KEYS) as a, open(
            osp.join(REPO, 'tests', 'data',
                     'official_checkpoint_keys.json')) as b:
        assert json.load(a) == json.load(b)


def test_model_names_match_the_release():
    model = build_model()
    state = model.state_dict()
    shapes = released_shapes()
    expected = {'generator.' + k.replace('dyn_agg_restore.', ''): s
                for k, s in shapes['restoration_net_g']}
    expected.update({'extractor.' + k: s for k, s in shapes['contras_extractor']})
    expected.update({'ref_extractor.' + k[len('vgg.'):]: s
                     for k, s in shapes['correspondence_vgg19']})
    for key, shape in expected.items():
        assert tuple(state[key].shape) == shape, key
    # everything else is the discriminator and the step counter
    rest = set(state) - set(expected)
    assert all(k.startswith('discriminator.') or k == 'step_counter'
               for k in rest)


def test_random_released_weights_convert_and_load_strictly(tmp_path):
    paths = save_released_format(str(tmp_path))
    out = str(tmp_path / 'c2m.pth')
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'convert_official_ckpt.py'),
         '--restoration', paths[0], '--extractor', paths[1], '--vgg',
         paths[2], '--out', out], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    model = build_model()
    load_checkpoint(model, out, strict=True, logger='silent')
    net_g = torch.load(paths[0])['params']
    torch.testing.assert_close(
        model.generator.small_dyn_agg.conv_offset_mask.weight,
        net_g['dyn_agg_restore.small_dyn_agg.conv_offset_mask.weight'])
    torch.testing.assert_close(
        model.generator.content_extractor.body[3].conv2.bias,
        net_g['content_extractor.body.3.conv2.bias'])
    net_e = torch.load(paths[1])
    torch.testing.assert_close(
        model.extractor.feature_extraction_image2.model.conv2_2.weight,
        net_e['feature_extraction_image2.model.conv2_2.weight'])
    vgg = torch.load(paths[2])
    torch.testing.assert_close(model.ref_extractor.vgg_net.conv3_1.weight,
                               vgg['features.10.weight'])


def test_wrong_file_is_refused_with_first_mismatches(tmp_path):
    paths = save_released_format(str(tmp_path))
    # extractor file given as restoration network
    with pytest.raises(CheckpointMismatchError, match='missing content_extractor'):
        convert_official(build_model(), paths[1], paths[1], paths[2])
    # a generator of another width
    bad = torch.load(paths[0])['params']
    bad['content_extractor.conv_first.weight'] = torch.zeros(32, 3, 3, 3)
    torch.save(bad, tmp_path / 'bad.pth')
    with pytest.raises(CheckpointMismatchError,
                       match=r'conv_first.weight: shape \(32, 3, 3, 3\)'):
        convert_official(build_model(), str(tmp_path / 'bad.pth'), paths[1],
                         paths[2])
    # truncated file
    data = open(paths[0], 'rb').read()
    (tmp_path / 'cut.pth').write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointMismatchError, match='cannot read'):
        convert_official(build_model(), str(tmp_path / 'cut.pth'), paths[1],
                         paths[2])
