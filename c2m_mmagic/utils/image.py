"""Image files written by the plugin: mmcv's encoder, atomic writes."""
import mmcv
import numpy as np

from .file_backend import atomic_backend_args


def write_image(rgb: np.ndarray, path: str) -> None:
    """Writes a uint8 RGB image (format from the extension, e.g. PNG),
    through a temporary file and a rename."""
    if not mmcv.imwrite(mmcv.rgb2bgr(np.ascontiguousarray(rgb)), path,
                        backend_args=atomic_backend_args()):
        raise OSError(f'could not encode an image for {path}')
