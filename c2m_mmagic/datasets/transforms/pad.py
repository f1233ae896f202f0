"""The release's test-time padding of unequal input/reference pairs
(docs/method.md §1)."""
from typing import Optional, Sequence

from mmcv.transforms import BaseTransform

from mmagic.registry import TRANSFORMS
from ...structures import UNPADDED_SIZE
from ...utils import pad_to_common_size


@TRANSFORMS.register_module()
class PadToCommonSize(BaseTransform):
    """Zero-pads images at the bottom and right to their common size.

    As the release tests pairs of unequal size: the HR input and the
    reference are padded to max(H) × max(W) before the LR image is made from
    the padded input; the model crops its output back to ``unpadded_size``.
    Equal sizes pass through unchanged.

    Required keys: ``keys``. Added keys: ``output_keys`` (the padded images)
    and ``unpadded_size`` ((H, W) of ``keys[0]`` before padding; pack it
    with ``PackInputs(meta_keys=[..., 'unpadded_size'])``).

    Args:
        keys (Sequence[str]): Images to pad. Default: ('gt', 'ref').
        output_keys (Sequence[str], optional): Where the padded images go,
            one per key. Default: ``keys`` (in place).
    """

    def __init__(self,
                 keys: Sequence[str] = ('gt', 'ref'),
                 output_keys: Optional[Sequence[str]] = None) -> None:
        self.keys = list(keys)
        self.output_keys = list(output_keys or keys)
        if len(self.output_keys) != len(self.keys):
            raise ValueError(
                'PadToCommonSize: output_keys must name one key '
                f'per key, got {self.keys} and {self.output_keys}')

    def transform(self, results: dict) -> dict:
        """Pads ``keys`` into ``output_keys``; records ``unpadded_size``."""
        images = [results[key] for key in self.keys]
        results[UNPADDED_SIZE] = tuple(images[0].shape[:2])
        padded, _ = pad_to_common_size(images)
        results.update(zip(self.output_keys, padded))
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(keys={self.keys}, '
                f'output_keys={self.output_keys})')
