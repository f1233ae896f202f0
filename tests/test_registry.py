"""`import c2m_mmagic` registers its components without shadowing."""
import subprocess
import sys

import pytest

from helpers import REPO

SCRIPT = r'''
REPO = REPO_PATH
import json, warnings
warnings.filterwarnings('ignore')
# mmagic 1.2.0 on numpy 2 needs the compat names first: load that module
# alone (importing the package would register everything already)
import importlib.util, os
spec = importlib.util.spec_from_file_location(
    'c2m_compat', os.path.join(REPO, 'c2m_mmagic', 'compat.py'))
compat = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compat)
compat.restore_removed_names()
from mmagic.utils import register_all_modules
register_all_modules(init_default_scope=True)
from mmagic import registry as R
regs = {n: getattr(R, n) for n in ('MODELS', 'DATASETS', 'TRANSFORMS',
                                    'METRICS', 'HOOKS', 'VISUALIZERS',
                                    'OPTIM_WRAPPER_CONSTRUCTORS')}
def names(reg):
    out = set(reg.module_dict)
    if reg.parent is not None:
        out |= set(reg.parent.module_dict)
    return out
before = {n: sorted(names(r)) for n, r in regs.items()}
import c2m_mmagic
ours = {n: sorted(k for k, v in r.module_dict.items()
                  if v.__module__.startswith('c2m_mmagic'))
        for n, r in regs.items()}
print(json.dumps(dict(before=before, ours=ours)))
'''


@pytest.fixture(scope='module')
def result():
    """mmagic's registries before the plugin's import, and what it added."""
    proc = subprocess.run(
        [sys.executable, '-c', SCRIPT.replace('REPO_PATH', repr(REPO))],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_components_are_registered_under_new_names(result):
    ours = result['ours']
    for name in ('C2Matching', 'C2MatchingNet', 'C2MatchingDiscriminator',
                 'ContrasExtractor', 'ContrasTeacher', 'ContrasStudent',
                 'CorrespondenceGenerator', 'DynamicAggregation',
                 'RefVGGExtractor',
                 'FrobeniusPerceptualLoss', 'SampleGradientPenaltyLoss',
                 'ContrastiveMarginLoss', 'CorrelationDistillationLoss'):
        assert name in ours['MODELS'], name
    assert {'RefSRDataset'} <= set(ours['DATASETS'])
    assert {'PadToCommonSize', 'RandomHomographyRef', 'StackReferences'} <= set(
        ours['TRANSFORMS'])
    assert {'MatchingAccuracy'} <= set(ours['METRICS'])
    assert {'NonFiniteLossHook', 'PortableCheckpointHook', 'ResultsTableHook',
            'RefSRVisualizationHook', 'SaveSRHook', 'StrictLoadHook',
            'ValidateFirstHook'} <= set(ours['HOOKS'])
    assert {'GroupedOptimWrapperConstructor',
            'GroupedMultiOptimWrapperConstructor'} <= set(
        ours['OPTIM_WRAPPER_CONSTRUCTORS'])
    for registry, names in ours.items():
        shadowed = set(names) & set(result['before'][registry])
        assert not shadowed, f'{registry}: {sorted(shadowed)} shadow mmagic'


def readme_component_names():
    """The names in the first column of README's "What is in the package"
    table."""
    import re
    text = open(f'{REPO}/README.md').read()
    section = text.split('## What is in the package', 1)[1].split('\n## ')[0]
    names = []
    for line in section.splitlines():
        if line.startswith('| `'):
            names += re.findall(r'`([^`]+)`', line.split('|')[1])
    return names


def test_every_name_readme_lists_is_registered(result):
    """README's table of components names registry entries only: each is
    registered by the plugin (or is its mmengine file backend)."""
    registered = {name for names in result['ours'].values() for name in names}
    from mmengine.fileio.backends.registry_utils import backends
    import c2m_mmagic  # noqa: F401  (its file backend)
    names = readme_component_names()
    assert len(names) > 20
    for name in names:
        assert name in registered or name in backends, name
