"""Several references of one input, of any sizes, as one array."""
from mmcv.transforms import BaseTransform

from mmagic.registry import TRANSFORMS
from ...structures import REF_SIZES
from ...utils import pad_to_common_size


@TRANSFORMS.register_module()
class StackReferences(BaseTransform):
    """Mod-crops each reference to multiples of ``scale`` and zero-pads them
    (bottom/right) to their common size, so that ``PackInputs`` stacks them
    into one ``ref_img`` of (K, 3, H, W); their own sizes go to
    ``ref_sizes``, for the model to crop them back. One reference stays one
    image (``ref_img`` (3, H, W)): a pipeline with this step takes one or
    several.

    Required keys: ``key`` (an image or a list of images, e.g. from
    ``LoadImageFromFile`` with a list of paths). Modified: ``key``. Added:
    ``ref_sizes`` (list of (h, w); pack it with
    ``PackInputs(meta_keys=[..., 'ref_sizes'])``).

    Args:
        key (str): Default: 'ref'.
        scale (int): Mod-crop factor. Default: 4.
    """

    def __init__(self, key: str = 'ref', scale: int = 4) -> None:
        self.key = key
        self.scale = scale

    def transform(self, results: dict) -> dict:
        images = results[self.key]
        images = list(images) if isinstance(images, (list, tuple)) else [
            images
        ]
        images = [
            img[:img.shape[0] - img.shape[0] % self.scale, :img.shape[1] -
                img.shape[1] % self.scale] for img in images
        ]
        results[REF_SIZES] = [tuple(img.shape[:2]) for img in images]
        results[self.key], _ = pad_to_common_size(images)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(key={self.key!r}, scale={self.scale})'
