"""Conversion of the authors' released C²-Matching weights.

The release ships the restoration generator (``net_g``) and the contrastive
student (``net_extractor``) as plain state dicts; the reference VGG19 is
torchvision's. :func:`convert_official` loads all three into a
:class:`C2Matching` model (strictly, through the plugin's one checkpoint
loader) and saves its state dict, so that one mmengine checkpoint holds
everything a test needs.
"""
import os.path as osp
from typing import Dict, Optional

import torch

from ..models.archs import torchvision_revise_keys
from ..utils import atomic_write, load_weights

# The release saves net_g with this prefix inside its own wrapper.
RELEASE_G_KEYS = ((r'^module\.', ''), (r'^dyn_agg_restore\.', ''))


def convert_official(model: torch.nn.Module,
                     restoration: str,
                     extractor: str,
                     vgg: str,
                     out: Optional[str] = None) -> Dict[str, torch.Tensor]:
    """Loads the released files into ``model`` and returns its state dict.

    Entries the release does not provide (the discriminator, the step
    counter) keep ``model``'s current values.

    Args:
        model (nn.Module): A :class:`C2Matching` built from the target config.
        restoration (str): Released generator file (296 tensors for 64
            channels and 16 blocks, ``content_extractor.`` and
            ``dyn_agg_restore.`` prefixes).
        extractor (str): Released contrastive extractor file (24 entries).
        vgg (str): torchvision VGG19 weights (a file, or
            ``torchvision://vgg19`` from torch's hub cache); only
            ``features.0/2/5/7/10`` are needed.
        out (str, optional): Where to write the mmengine checkpoint
            (atomically: written to a temporary name, then renamed).

    Returns:
        dict: The converted state dict.
    """
    load_weights(model.generator, restoration, revise_keys=RELEASE_G_KEYS,
                 what='restoration network')
    load_weights(model.extractor, extractor, what='contrastive extractor')
    load_weights(
        model.ref_extractor.vgg_net,
        vgg,
        revise_keys=torchvision_revise_keys('vgg19'),
        allow_unexpected=True,
        what='VGG19 (torchvision features.*)')
    state = model.state_dict()
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
