"""Conversion of the authors' released C²-Matching weights.

The release ships the restoration generator (``net_g``) and the contrastive
student (``net_extractor``) as plain state dicts; the reference VGG19 is
torchvision's. :func:`convert_official` maps all three onto the state dict
of :class:`C2Matching` so that one mmengine checkpoint holds everything a
test needs.
"""
import os.path as osp
from typing import Dict, Optional

import torch

from ..models.editors.c2matching.vgg_trunk import torchvision_to_trunk_keys
from ..utils import atomic_write

RELEASE_G_PREFIX = 'dyn_agg_restore.'


class CheckpointMismatchError(ValueError):
    """A file does not hold the weights it is supposed to hold."""


def load_state_dict_file(path: str, what: str) -> Dict[str, torch.Tensor]:
    """Loads a plain, ``params``- or ``state_dict``-wrapped state dict.

    Args:
        path (str): File to read.
        what (str): What the file should hold, for error messages.

    Returns:
        dict: name -> tensor.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what}: file not found: {path}')
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # truncated or not a torch file
        raise CheckpointMismatchError(
            f'{what}: cannot read {path} as a PyTorch checkpoint '
            f'({type(err).__name__}: {err})') from err
    for wrapper in ('params', 'state_dict', 'params_ema'):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
            break
    if not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointMismatchError(
            f'{what}: {path} does not hold a state dict of tensors')
    # DataParallel saves may prefix every key with "module."
    if state and all(k.startswith('module.') for k in state):
        state = {k[len('module.'):]: v for k, v in state.items()}
    return state


def check_entries(found: Dict[str, torch.Tensor], expected: Dict[str,
                                                                 torch.Size],
                  what: str, path: str, allow_extra: bool = False) -> None:
    """Raises :class:`CheckpointMismatchError` naming the first mismatches.

    Args:
        found (dict): Entries of the file (already renamed to model keys).
        expected (dict): Model key -> shape.
        what (str): What the file should hold.
        path (str): The file, for the message.
        allow_extra (bool): Whether entries beyond ``expected`` are fine.
    """
    problems = []
    for key, shape in expected.items():
        if key not in found:
            problems.append(f'missing {key} {tuple(shape)}')
        elif tuple(found[key].shape) != tuple(shape):
            problems.append(f'{key}: shape {tuple(found[key].shape)}, '
                            f'expected {tuple(shape)}')
    if not allow_extra:
        problems += [f'unexpected {k} {tuple(v.shape)}'
                     for k, v in found.items() if k not in expected]
    if problems:
        shown = '\n  '.join(problems[:8])
        more = f'\n  ... and {len(problems) - 8} more' if len(
            problems) > 8 else ''
        raise CheckpointMismatchError(
            f'{what}: {path} does not match ({len(problems)} problems):\n  '
            f'{shown}{more}')


def convert_official(model: torch.nn.Module,
                     restoration: str,
                     extractor: str,
                     vgg: str,
                     out: Optional[str] = None) -> Dict[str, torch.Tensor]:
    """Builds a full C2Matching state dict from the released files.

    Entries the release does not provide (the discriminator, the step
    counter) keep ``model``'s current values.

    Args:
        model (nn.Module): A :class:`C2Matching` built from the target config.
        restoration (str): Released generator file (296 tensors for 64
            channels and 16 blocks, ``content_extractor.`` and
            ``dyn_agg_restore.`` prefixes).
        extractor (str): Released contrastive extractor file (24 entries).
        vgg (str): torchvision VGG19 state dict; only ``features.0/2/5/7/10``
            are needed.
        out (str, optional): Where to write the mmengine checkpoint
            (atomically: written to a temporary name, then renamed).

    Returns:
        dict: The converted state dict.
    """
    state = model.state_dict()

    def expected(prefix):
        return {k[len(prefix):]: v.shape for k, v in state.items()
                if k.startswith(prefix)}

    net_g = load_state_dict_file(restoration, 'restoration network')
    net_g = {(k[len(RELEASE_G_PREFIX):] if k.startswith(RELEASE_G_PREFIX)
              else k): v
             for k, v in net_g.items()}
    check_entries(net_g, expected('generator.'), 'restoration network',
                  restoration)

    net_e = load_state_dict_file(extractor, 'contrastive extractor')
    check_entries(net_e, expected('extractor.'), 'contrastive extractor',
                  extractor)

    vgg_state = load_state_dict_file(vgg, 'VGG19')
    trunk_keys = {
        v: k
        for k, v in torchvision_to_trunk_keys('vgg19').items()
    }
    wanted = {k: s for k, s in expected('ref_extractor.').items()
              if k.startswith('vgg_net.')}
    vgg_renamed = {}
    for key in wanted:
        tv_key = trunk_keys[key[len('vgg_net.'):]]
        if tv_key in vgg_state:
            vgg_renamed[key] = vgg_state[tv_key]
    check_entries(vgg_renamed, wanted, 'VGG19 (torchvision features.*)', vgg)

    for prefix, entries in (('generator.', net_g), ('extractor.', net_e),
                            ('ref_extractor.', vgg_renamed)):
        for key, value in entries.items():
            state[prefix + key] = value.to(state[prefix + key].dtype)
    if out is not None:
        checkpoint = dict(
            meta=dict(
                converted_from=dict(
                    restoration=osp.basename(restoration),
                    extractor=osp.basename(extractor),
                    vgg=osp.basename(vgg))),
            state_dict=state)
        atomic_write(out, lambda f: torch.save(checkpoint, f))
    return state
