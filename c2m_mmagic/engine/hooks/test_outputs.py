"""What a test iteration is about: its data set, evaluator and images.

Works with mmengine's ``TestLoop`` and mmagic's ``MultiTestLoop`` (several
data sets, one evaluator each, run one after the other).
"""
import os.path as osp
from typing import List, Optional

import numpy as np
import torch

from mmagic.utils import tensor2img


def current_evaluator(runner):
    """The evaluator of the data set being tested."""
    return runner.test_loop.evaluator


def current_dataset_name(runner) -> str:
    """The name the results carry: its metrics' prefix (e.g. 'CUFED5-L1'),
    else the data set's ``dataset_type``, else 'test'."""
    for metric in current_evaluator(runner).metrics:
        if getattr(metric, 'prefix', None):
            return metric.prefix
    dataset = runner.test_loop.dataloader.dataset
    return getattr(dataset, 'metainfo', {}).get('dataset_type') or 'test'


def several_datasets(runner) -> bool:
    """Whether this test runs more than one data set."""
    return len(getattr(runner.test_loop, 'dataloaders', None) or []) > 1


def file_stem(sample) -> Optional[str]:
    """File name without extension of the sample's input (``gt_path``, or
    ``img_path`` in inference)."""
    path = sample.metainfo.get('gt_path') or sample.metainfo.get('img_path')
    return osp.splitext(osp.basename(path))[0] if path else None


def rgb_image(tensor: torch.Tensor, bgr: bool) -> np.ndarray:
    """A (3, H, W) 0-255 tensor (BGR when ``bgr``, else RGB) as a uint8 RGB
    (H, W, 3) array, clamped and rounded by mmagic's ``tensor2img`` (which
    swaps the channel order)."""
    tensor = tensor.detach().float() / 255.
    return tensor2img(tensor if bgr else tensor.flip(0))


def reference_names(sample) -> List[str]:
    """File names of the sample's references (none for a reference made
    from the input)."""
    paths = sample.metainfo.get('ref_path') or []
    return [osp.basename(p) for p in ([paths] if isinstance(paths, str)
                                      else paths)]


def first_reference(sample) -> torch.Tensor:
    """(3, H, W) of the sample's (first) reference, at its own size."""
    ref = sample.ref_img
    if ref.dim() == 3:
        return ref
    h, w = sample.metainfo['ref_sizes'][0]
    return ref[0, :, :h, :w]
