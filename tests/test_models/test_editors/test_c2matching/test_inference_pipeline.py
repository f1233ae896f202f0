"""The pipeline's settings, checked once; its advice on the hierarchical
matching for large photos; the command lines' choices from the
registries."""
import argparse

import pytest

from c2m_mmagic.apis import (add_test_cfg_arguments, args_test_cfg,
                             matching_choices)
from c2m_mmagic.models.editors.c2matching.inference import TestSettings
from c2m_mmagic.models.editors.c2matching.inference.pipeline import (
    EXACT_PAIRS_PER_SECOND, describe_tiling, matching_advice)


@pytest.mark.parametrize('cfg, message', [
    (dict(tile=8), 'test_cfg.tile must be at least 16 LR pixels, got 8'),
    (dict(precision='fp16'), 'test_cfg.precision must be one of'),
    (dict(matching='exact'), 'test_cfg.matching must be auto or one of'),
    (dict(max_pixels_per_pass=0), 'test_cfg.max_pixels_per_pass must be a '
     'positive number of pixels'),
    (dict(ref_gap=-1), 'test_cfg.ref_gap must be a number of feature '
     'columns >= 0'),
    (dict(tiles=2), r"unknown test_cfg key\(s\) \['tiles'\]"),
])
def test_each_bad_setting_gets_one_line(cfg, message):
    with pytest.raises(ValueError, match=message):
        TestSettings.from_cfg(cfg)


def test_updated_settings_are_checked_like_test_cfg():
    settings = TestSettings.from_cfg(dict(tile=32))
    assert settings.updated(matching='pixel').tile == 32
    with pytest.raises(ValueError, match='tile must be at least 16'):
        settings.updated(tile=4)


def test_the_exact_search_stays_and_the_hierarchical_one_is_offered():
    """A 2048² photo with a 2048² reference: the exact search would take
    minutes on a CPU, so the line says how long and offers the
    hierarchical one; a small photo, or the hierarchical matching chosen,
    gets no advice."""
    settings = TestSettings()
    big = matching_advice(settings, (512, 512), [(512, 512)], 'cpu')
    pairs = 510**4
    minutes = pairs / EXACT_PAIRS_PER_SECOND['cpu'] / 60
    assert f'about {minutes:.0f} min here' in big
    assert '--matching hierarchical' in big and '81%' in big
    assert matching_advice(settings, (64, 64), [(64, 64)], 'cpu') is None
    assert matching_advice(settings.updated(matching='hierarchical'),
                           (512, 512), [(512, 512)], 'cpu') is None
    assert settings.matching == 'auto'  # advice, never a silent switch
    line = describe_tiling(settings, 512, 512, 'cpu', [(2048, 2048)])
    assert 'Matching: the exact matching takes about' in line


def test_the_options_come_from_the_registries():
    parser = argparse.ArgumentParser()
    add_test_cfg_arguments(parser, tiling=True)
    args = parser.parse_args(['--matching', 'hierarchical', '--tile', '32'])
    assert args_test_cfg(args) == dict(matching='hierarchical', tile=32)
    choices = next(a.choices for a in parser._actions
                   if a.dest == 'matching')
    assert choices == matching_choices()
    assert {'pixel', 'rescored', 'fused', 'release', 'hierarchical'} <= set(
        choices)
    with pytest.raises(ValueError, match='--tile: C2Matching: test_cfg.tile '
                       'must be at least 16'):
        args_test_cfg(parser.parse_args(['--tile', '8']))
