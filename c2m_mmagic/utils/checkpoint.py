"""The plugin's one way to read weights into a module.

Files are read by mmengine's ``CheckpointLoader`` under torch's weights-only
unpickler; torchvision names (``torchvision://vgg19``) and URLs resolve to
torch's hub cache and are never downloaded. Entries are selected by
``prefix`` and renamed by ``revise_keys`` as mmengine does, then checked
against the module strictly: a file that does not fit is refused with one
line naming it and its first mismatches.
"""
import os.path as osp
import re
from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Sequence, Tuple
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import (CheckpointLoader,
                                        get_torchvision_models)

# Wrappers of the state dict in files from mmengine, BasicSR and the release.
STATE_DICT_KEYS = ('state_dict', 'params', 'params_ema')


class CheckpointMismatchError(ValueError):
    """A file does not hold the weights it is supposed to hold."""


class PortableHistoryBuffer(HistoryBuffer):
    """mmengine's ``HistoryBuffer`` pickled without its statistics methods.

    ``HistoryBuffer`` pickles its class-level statistics functions, which
    unpickle through ``getattr``, a call torch's weights-only loader refuses.
    They are registered again when a buffer is unpickled, so nothing is lost.
    """

    def __getstate__(self) -> dict:
        return {
            k: v
            for k, v in self.__dict__.items() if k != 'statistics_methods'
        }


def _numpy_types() -> list:
    """The numpy callables and types a pickled ndarray refers to."""
    try:
        multiarray = np._core.multiarray  # numpy >= 2
    except AttributeError:
        multiarray = np.core.multiarray
    dtypes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType')
    ] if hasattr(np, 'dtypes') else []
    # a checkpoint written under the other numpy major names the other
    # module (numpy._core in 2.x, numpy.core in 1.x) for the same functions
    aliases = [(fn, f'{module}.multiarray.{fn.__name__}')
               for fn in (multiarray._reconstruct, multiarray.scalar)
               for module in ('numpy.core', 'numpy._core')]
    return aliases + [np.ndarray, np.dtype] + dtypes


@contextmanager
def weights_only_globals() -> Iterator[None]:
    """Within it, torch's weights-only loader also accepts what mmengine
    training checkpoints hold (its message hub's buffers, numpy arrays).

    Scoped and re-entrant: on leaving, exactly the entries this block added
    are taken off torch's allow-list again.
    """
    safe_globals = getattr(torch.serialization, 'safe_globals', None)
    if safe_globals is None:  # torch < 2.5 loads without an allow-list
        yield
        return
    present = set(torch.serialization.get_safe_globals())
    wanted = [HistoryBuffer, PortableHistoryBuffer] + _numpy_types()
    with safe_globals([g for g in wanted if g not in present]):
        yield


def resolve_checkpoint(filename: str, what: str) -> str:
    """The local file behind ``filename``.

    ``torchvision://NAME`` and http(s) URLs are looked up in torch's hub
    cache (``torch.hub.get_dir()/checkpoints``), never downloaded.

    Raises:
        FileNotFoundError: Naming the file (or the cache path) looked for.
    """
    url = filename
    if filename.startswith('torchvision://'):
        name = filename[len('torchvision://'):]
        url = get_torchvision_models().get(name)
        if url is None:
            raise FileNotFoundError(
                f'{what}: {filename} is not a torchvision model name')
    if url.startswith(('http://', 'https://')):
        cached = osp.join(torch.hub.get_dir(), 'checkpoints',
                          osp.basename(urlparse(url).path))
        if not osp.isfile(cached):
            raise FileNotFoundError(
                f'{what}: {filename} is not in the torch hub cache ({cached}) '
                'and nothing is downloaded; put the file there or give a '
                'local path')
        return cached
    if '://' not in filename and not osp.isfile(filename):
        raise FileNotFoundError(f'{what}: file not found: {filename}')
    return filename


def read_state_dict(filename: str,
                    what: str = 'checkpoint') -> Dict[str, torch.Tensor]:
    """Reads the state dict of a checkpoint file.

    Plain state dicts and ones wrapped in ``state_dict``, ``params`` or
    ``params_ema`` are accepted.

    Args:
        filename (str): Local path, ``torchvision://NAME`` or URL (cached).
        what (str): What the file should hold, for error messages.

    Returns:
        dict: name -> tensor.
    """
    path = resolve_checkpoint(filename, what)
    try:
        with weights_only_globals():
            checkpoint = CheckpointLoader.load_checkpoint(
                path, map_location='cpu', logger='current')
    except Exception as err:  # truncated, or not a torch file
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ''
        raise CheckpointMismatchError(
            f'{what}: cannot read {filename} as a PyTorch checkpoint '
            f'({type(err).__name__}: {reason})') from err
    for key in STATE_DICT_KEYS:
        if isinstance(checkpoint, dict) and isinstance(
                checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    if not isinstance(checkpoint, dict) or not all(
            isinstance(v, torch.Tensor) for v in checkpoint.values()):
        raise CheckpointMismatchError(
            f'{what}: {filename} does not hold a state dict of tensors')
    return checkpoint


def revise_state_dict(state: Dict[str, torch.Tensor],
                      prefix: str = '',
                      revise_keys: Sequence[Tuple[str, str]] = (
                          (r'^module\.', ''), )) -> Dict[str, torch.Tensor]:
    """Keeps the entries under ``prefix`` (stripped), then renames keys by
    the regular expressions ``revise_keys`` (mmengine's convention)."""
    if prefix:
        state = {
            k[len(prefix):]: v
            for k, v in state.items() if k.startswith(prefix)
        }
    for pattern, replacement in revise_keys:
        state = {re.sub(pattern, replacement, k): v for k, v in state.items()}
    return state


def check_fit(found: Dict[str, torch.Tensor],
              module: torch.nn.Module,
              source: str,
              optional: Sequence[str] = (),
              allow_unexpected: bool = False) -> None:
    """Raises one line naming the first mismatches of ``found`` and the
    state dict of ``module``.

    Args:
        found (dict): Entries of the checkpoint, named as in ``module``.
        module (nn.Module): Module the entries are for.
        source (str): The checkpoint, as the message should name it.
        optional (Sequence[str]): Prefixes of entries that may be missing
            or extra (e.g. 'discriminator.': a GAN checkpoint fits the "-rec"
            model and the other way round).
        allow_unexpected (bool): Whether entries beyond the module's are
            fine.

    Raises:
        CheckpointMismatchError: On missing, unexpected or mis-shaped
        entries.
    """
    expected = {k: v.shape for k, v in module.state_dict().items()}
    problems = [
        f'missing {key} {tuple(shape)}' for key, shape in expected.items()
        if key not in found and not key.startswith(tuple(optional))
    ]
    problems += [
        f'{key}: shape {tuple(found[key].shape)}, expected {tuple(shape)}'
        for key, shape in expected.items()
        if key in found and tuple(found[key].shape) != tuple(shape)
    ]
    if not allow_unexpected:
        problems += [
            f'unexpected {key} {tuple(value.shape)}'
            for key, value in found.items()
            if key not in expected and not key.startswith(tuple(optional))
        ]
    if problems:
        shown = '; '.join(problems[:4])
        more = f'; ... {len(problems) - 4} more' if len(problems) > 4 else ''
        raise CheckpointMismatchError(
            f'{source} does not fit {type(module).__name__} '
            f'({len(problems)} problems: {shown}{more})')


def load_weights(module: torch.nn.Module,
                 filename: str,
                 prefix: str = '',
                 revise_keys: Sequence[Tuple[str, str]] = (
                     (r'^module\.', ''), ),
                 optional: Sequence[str] = (),
                 allow_unexpected: bool = False,
                 what: Optional[str] = None) -> None:
    """Loads ``filename`` into ``module``, refusing a file that does not fit.

    Args:
        module (nn.Module): Module to fill.
        filename (str): Checkpoint (see :func:`read_state_dict`).
        prefix (str): Only the entries under this prefix, stripped (e.g.
            'student.' of a stage-2 checkpoint).
        revise_keys (Sequence[tuple]): (pattern, replacement) renamings.
        optional (Sequence[str]): Prefixes of entries that may be absent
            or extra (e.g. the discriminator at test time).
        allow_unexpected (bool): Accept entries the module does not have
            (e.g. the classifier of a torchvision VGG file).
        what (str, optional): What the file should hold, for messages.

    Raises:
        FileNotFoundError, CheckpointMismatchError: One line naming the file.
    """
    what = what or f'{type(module).__name__} weights'
    state = revise_state_dict(read_state_dict(filename, what), prefix,
                              revise_keys)
    if prefix and not state:
        raise CheckpointMismatchError(
            f'{what}: {filename} has no entries under {prefix!r}')
    check_fit(state, module, f'{what}: {filename}', optional,
              allow_unexpected)
    own = module.state_dict()
    module.load_state_dict({k: v
                            for k, v in state.items() if k in own},
                           strict=False)
