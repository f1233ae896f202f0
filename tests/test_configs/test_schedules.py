"""Stage-3 learning rates: the offset branches of each scale, as released,
derived from the one definition of the scales and inherited by the demo."""
import os.path as osp

import pytest
from mmengine.config import Config

from c2m_mmagic.models.editors.c2matching.scales import SCALES
from helpers import REPO

RELEASE_OFFSET_LR = dict(small=1e-6, medium=1e-5, large=1e-4)


@pytest.mark.parametrize('config', [
    'c2matching/c2matching-rec_x4c64b16_1xb9-255k_cufed.py',
    'c2matching/c2matching-gan_x4c64b16_1xb9-255k_cufed.py',
    'c2matching/c2matching-rec_demo.py'
])
def test_offset_branches_of_every_scale_get_the_release_ratios(config):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    generator = cfg.optim_wrapper.generator
    keys = generator.paramwise_cfg.custom_keys
    assert set(keys) == {
        f'{s.name}{part}' for s in SCALES
        for part in ('_offset_conv', '_dyn_agg.conv_offset_mask')
    }
    for scale in SCALES:
        for part in ('_offset_conv', '_dyn_agg.conv_offset_mask'):
            ratio = keys[f'{scale.name}{part}']['lr_mult']
            assert ratio == pytest.approx(RELEASE_OFFSET_LR[scale.name] /
                                          1e-4)
    lr = generator.optimizer.lr
    assert lr == (5e-4 if 'demo' in config else 1e-4)
