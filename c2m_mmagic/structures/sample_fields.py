"""The fields of a Ref-SR data sample, read and written in one place.

mmagic's ``PackInputs`` turns the pipeline's images into tensor fields of a
``DataSample`` (``gt`` → ``gt_img``, ``ref`` → ``ref_img``, ``img_lq``) and
named results into metainfo. Two metainfo records describe how a sample was
laid out, and everything that undoes the layout reads them through here:

- ``ref_sizes``: several references of one input, zero-padded to a common
  size and stacked as ``ref_img`` (K, 3, H, W) by ``StackReferences``; their
  own (h, w) each (:func:`unstack_references` is the one decoder);
- ``unpadded_size``: (H, W) of the input before ``PadToCommonSize`` padded
  it like the release's test (:func:`crop_to_unpadded` crops back).
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from mmagic.structures import DataSample
from mmagic.utils import tensor2img

REF_SIZES = 'ref_sizes'
UNPADDED_SIZE = 'unpadded_size'


def _pipeline_key(key: str) -> str:
    """The pipeline result ``PackInputs`` packs into ``key``."""
    return key[:-len('_img')] if key.endswith('_img') else key


def batch_image(data_samples: DataSample,
                key: str,
                device: torch.device,
                dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A raw 0-255 image field (e.g. ``ref_img``) of stacked samples as
    ``dtype`` in [0, 1] on ``device``: (N, 3, H, W), or (N, K, 3, H, W) for K
    images per sample; a lone (3, H, W) image gets its batch dimension.

    Raises:
        ValueError: When the samples lack ``key``, naming the pipeline
            result that makes it.
    """
    if data_samples is None or key not in data_samples:
        raise ValueError(f'the data samples lack `{key}`: the pipeline must '
                         f'produce `{_pipeline_key(key)}` (see the configs\' '
                         'pipelines)')
    img = data_samples.get(key).to(device=device, dtype=dtype) / 255.
    return img.unsqueeze(0) if img.dim() == 3 else img


def unstack_references(ref: torch.Tensor,
                       sizes: Sequence) -> List[torch.Tensor]:
    """The references of a stacked ``ref_img`` at their own sizes.

    Args:
        ref (Tensor): (..., K, 3, H, W), K references zero-padded to a
            common size.
        sizes (Sequence): (h, w) of each reference (``ref_sizes``).

    Returns:
        list[Tensor]: (..., 3, h_k, w_k) each.
    """
    if not sizes or len(sizes) != ref.shape[-4]:
        raise ValueError(
            f'several references per input need their sizes (metainfo '
            f'`{REF_SIZES}`, from StackReferences), one per reference; got '
            f'{sizes} for {ref.shape[-4]}')
    return [ref[..., k, :, :h, :w] for k, (h, w) in enumerate(sizes)]


def batch_references(data_samples: DataSample,
                     device: torch.device,
                     dtype: torch.dtype = torch.float32) -> List[torch.Tensor]:
    """The references of a batch, each (N, 3, Hr_k, Wr_k) in [0, 1]; with
    several per input, every sample of the batch must have the same sizes."""
    ref = batch_image(data_samples, 'ref_img', device, dtype)
    if ref.dim() == 4:
        return [ref]
    sizes = data_samples.metainfo.get(REF_SIZES)
    if not sizes or any(list(s) != list(sizes[0]) for s in sizes):
        raise ValueError(
            f'several references per input need their sizes (metainfo '
            f'`{REF_SIZES}`, from StackReferences), the same for every '
            'sample of a batch')
    return unstack_references(ref, sizes[0])


def first_reference(sample: DataSample) -> torch.Tensor:
    """(3, H, W) of one sample's (first) reference, at its own size."""
    ref = sample.ref_img
    if ref.dim() == 3:
        return ref
    return unstack_references(ref, sample.metainfo.get(REF_SIZES))[0]


def unpadded_size(data_samples: Optional[DataSample]
                  ) -> Optional[Tuple[int, int]]:
    """(H, W) the input had before ``PadToCommonSize``, one for the batch (or
    one sample); None where nothing was padded."""
    sizes = data_samples.metainfo.get(UNPADDED_SIZE) \
        if data_samples is not None else None
    if not sizes:
        return None
    if isinstance(sizes[0], int):  # one sample
        return tuple(sizes)
    if any(tuple(size) != tuple(sizes[0]) for size in sizes):
        raise ValueError(f'a test batch must share one `{UNPADDED_SIZE}`, '
                         f'got {sizes}')
    return tuple(sizes[0])


def crop_to_unpadded(img, data_samples: Optional[DataSample]):
    """``img`` (..., H, W) cropped to the input's size before the release's
    test padding (unchanged where nothing was padded)."""
    size = unpadded_size(data_samples)
    return img if size is None else img[..., :size[0], :size[1]]


def rgb_image(tensor: torch.Tensor, bgr: bool) -> np.ndarray:
    """A (3, H, W) 0-255 tensor (BGR when ``bgr``, else RGB) as a uint8 RGB
    (H, W, 3) array, clamped and rounded by mmagic's ``tensor2img`` (which
    swaps the channel order)."""
    tensor = tensor.detach().float() / 255.
    return tensor2img(tensor if bgr else tensor.flip(0))


def file_stem(sample: DataSample) -> Optional[str]:
    """File name without extension of the sample's input (``gt_path``, or
    ``img_path`` in inference)."""
    path = sample.metainfo.get('gt_path') or sample.metainfo.get('img_path')
    return osp.splitext(osp.basename(path))[0] if path else None


def reference_names(sample: DataSample) -> List[str]:
    """File names of the sample's references (none for a reference made
    from the input)."""
    paths = sample.metainfo.get('ref_path') or []
    return [osp.basename(p) for p in ([paths] if isinstance(paths, str)
                                      else paths)]
