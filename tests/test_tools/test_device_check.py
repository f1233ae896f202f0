"""tools/device_check.sh end to end on the CPU (--short), so that the first
GPU run does not fail on a typo."""
import json
import os
import os.path as osp
import subprocess
import sys
import tarfile

import pytest

from helpers import REPO


# the script on CPU tensors: the same steps on both stacks (the GPU image's
# stack is the current one, where CI runs it)
@pytest.mark.one_stack
def test_short_run_writes_every_result(tmp_path):
    out = str(tmp_path / 'check')
    env = dict(os.environ, PY=sys.executable)
    env.pop('OUT', None)
    proc = subprocess.run(['bash', 'tools/device_check.sh', '--short',
                           '--out', out], capture_output=True, text=True,
                          cwd=REPO, env=env)
    steps = open(osp.join(out, 'steps.txt')).read()
    assert proc.returncode == 0, steps + proc.stdout[-2000:] + \
        proc.stderr[-2000:]
    names = ('env', 'tests', 'bench', 'matchings', 'accuracy', 'profile',
             'tiling', 'amp', 'summary')
    for step in names:
        assert f'{step} rc=0' in steps, steps
    # the device tool brings back at most 8 files: the logs travel as one
    assert len(os.listdir(out)) <= 8, os.listdir(out)
    with tarfile.open(osp.join(out, 'logs.tar.gz')) as logs:
        assert {f'logs/{n}.log' for n in names} <= set(logs.getnames())
    rows = json.load(open(osp.join(out, 'bench.json')))['results']
    defaults = [r for r in rows if not {'matching', 'precision', 'tiling'}
                & set(r)]
    assert {(r['what'], r['impl']) for r in defaults} == {
        (w, i) for w in ('matching', 'inference', 'train', 'train_rec')
        for i in ('fast', 'reference')}
    # the variants and the tiling rows are added to the same file
    assert {r.get('matching') for r in rows} >= {'pixel'}
    assert {r.get('precision') for r in rows} >= {'bf16'}
    assert {r.get('tiling') for r in rows} >= {'off', '16'}
    profile = open(osp.join(out, 'profile.md')).read()
    assert profile.count('## ') == 2 and 'Self CPU %' in profile
    accuracy = json.load(open(osp.join(out, 'accuracy.json')))
    for matching in ('pixel', 'rescored'):
        assert accuracy['matching'][matching]['agreement'] >= 0.995
    assert accuracy['device_vs_cpu']['within_one_level'] == 1.0  # cpu vs cpu
    assert accuracy['bf16_vs_fp32']['within_one_level'] >= 0.99
    amp = json.load(open(osp.join(out, 'amp.json')))
    assert amp['steps'] == 4 and amp['max_relative_difference'] == 0.0
    summary = open(osp.join(out, 'summary.md')).read()
    assert 'matching equals float64' in summary and 'train' in summary
    # a rerun of some steps adds to the folder and deletes nothing
    before = {n: open(osp.join(out, n), 'rb').read()
              for n in ('bench.json', 'profile.md', 'accuracy.json')}
    proc = subprocess.run(['bash', 'tools/device_check.sh', '--short',
                           '--out', out, '--only', 'summary'],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name, content in before.items():
        assert open(osp.join(out, name), 'rb').read() == content, name
    assert open(osp.join(out, 'steps.txt')).read().startswith(steps)
    assert open(osp.join(out, 'steps.txt')).read().count('summary rc=0') == 2
