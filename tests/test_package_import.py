"""`import c2m_mmagic` registers components and changes nothing else."""
import os
import subprocess
import sys

from helpers import REPO

SCRIPT = r'''
REPO = REPO_PATH
import json, os, warnings
warnings.filterwarnings('ignore')
import torch, mmengine.runner.runner as runner_mod, mmengine.runner.checkpoint as ckpt_mod
from mmengine.logging import HistoryBuffer
# what the plugin builds on, imported first: torch's lazily imported modules
# add their own types to the weights-only allow-list
# mmagic 1.2.0 on numpy 2 needs the compat names first: load that module
# alone (importing the package would register everything already)
import importlib.util, os
spec = importlib.util.spec_from_file_location(
    'c2m_compat', os.path.join(REPO, 'c2m_mmagic', 'compat.py'))
compat = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compat)
compat.restore_removed_names()
import mmcv.ops, mmagic.models, mmagic.datasets, mmagic.evaluation, mmagic.apis
before = dict(
    runner_save=runner_mod.save_checkpoint, ckpt_save=ckpt_mod.save_checkpoint,
    torch_load=torch.load, torch_save=torch.save,
    getstate=HistoryBuffer.__dict__.get('__getstate__'),
    setstate=HistoryBuffer.__dict__.get('__setstate__'))
safe = list(torch.serialization.get_safe_globals())
import c2m_mmagic
after = dict(
    runner_save=runner_mod.save_checkpoint, ckpt_save=ckpt_mod.save_checkpoint,
    torch_load=torch.load, torch_save=torch.save,
    getstate=HistoryBuffer.__dict__.get('__getstate__'),
    setstate=HistoryBuffer.__dict__.get('__setstate__'))
changed = [k for k in before if before[k] is not after[k]]
names = [getattr(g, '__name__', str(g)) for g in torch.serialization.get_safe_globals()]
print(json.dumps(dict(changed=changed, allowed_buffers=[n for n in names if 'HistoryBuffer' in n],
                      safe_same=safe == torch.serialization.get_safe_globals(),
                      save_is_mmengines=runner_mod.save_checkpoint is ckpt_mod.save_checkpoint)))
'''


def test_import_replaces_no_library_function():
    proc = subprocess.run([sys.executable, '-c', SCRIPT.replace('REPO_PATH', repr(REPO))], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == dict(changed=[], allowed_buffers=[], safe_same=True,
                          save_is_mmengines=True)


def test_files_get_the_mode_of_the_process_umask(tmp_path):
    """Atomic writes (checkpoints through the atomic backend, tables,
    images) get 0o666 minus the umask, like any file the user creates."""
    from mmengine.runner.checkpoint import save_checkpoint

    from c2m_mmagic.utils import write_text
    from c2m_mmagic.utils import atomic_backend_args, write_image
    import numpy as np
    for umask in (0o022, 0o002, 0o077):
        old = os.umask(umask)
        try:
            ckpt = str(tmp_path / f'ckpt_{umask:o}.pth')
            save_checkpoint({'state_dict': {}}, ckpt,
                            backend_args=atomic_backend_args())
            text = str(tmp_path / f'table_{umask:o}.md')
            write_text('| a |\n', text)
            png = str(tmp_path / f'img_{umask:o}.png')
            write_image(np.zeros((4, 4, 3), np.uint8), png)
        finally:
            os.umask(old)
        for path in (ckpt, text, png):
            assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask, path
    assert [f for f in os.listdir(tmp_path) if f.endswith('.tmp')] == []
