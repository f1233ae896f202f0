"""Image fields of stacked mmagic data samples as model input."""
import torch

from mmagic.structures import DataSample


def sample_image(data_samples: DataSample,
                 key: str,
                 device: torch.device,
                 dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A raw 0-255 image field (e.g. ``ref_img``) of stacked samples as
    ``dtype`` in [0, 1] on ``device``: (N, 3, H, W), or (N, K, 3, H, W) for K
    images per sample; a lone (3, H, W) image gets its batch dimension.

    Raises:
        KeyError: When the samples lack ``key``.
    """
    if key not in data_samples:
        raise KeyError(f'data samples lack `{key}`: the pipeline must '
                       'produce it')
    img = data_samples.get(key).to(device=device, dtype=dtype) / 255.
    return img.unsqueeze(0) if img.dim() == 3 else img
