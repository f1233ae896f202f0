from .atomic import atomic_write, write_text
from .checkpoint import (CheckpointMismatchError, PortableHistoryBuffer,
                         load_weights, read_state_dict, weights_only_globals)
from .file_backend import AtomicLocalBackend, atomic_backend_args
from .image import (bicubic_input, pad_to, pad_to_common_size, rgb_to_tensor,
                    write_image)

__all__ = [
    'AtomicLocalBackend', 'CheckpointMismatchError', 'PortableHistoryBuffer',
    'atomic_backend_args', 'atomic_write', 'bicubic_input', 'load_weights',
    'pad_to', 'pad_to_common_size', 'read_state_dict', 'rgb_to_tensor',
    'weights_only_globals', 'write_image', 'write_text'
]
