"""Image fields of stacked mmagic data samples as model input."""
import torch

from mmagic.structures import DataSample


def sample_image(data_samples: DataSample, key: str,
                 device: torch.device) -> torch.Tensor:
    """A raw 0-255 image field (e.g. ``ref_img``) as float (N, 3, H, W) in
    [0, 1] on ``device``.

    Raises:
        KeyError: When the samples lack ``key``.
    """
    if key not in data_samples:
        raise KeyError(f'data samples lack `{key}`: the pipeline must '
                       'produce it')
    img = data_samples.get(key).float().to(device) / 255.
    return img if img.dim() == 4 else img.unsqueeze(0)
