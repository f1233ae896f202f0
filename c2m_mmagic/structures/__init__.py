from .sample_fields import (REF_SIZES, UNPADDED_SIZE, batch_image,
                            batch_references, crop_to_unpadded, file_stem,
                            first_reference, reference_names, rgb_image,
                            unpadded_size, unstack_references)

__all__ = [
    'REF_SIZES', 'UNPADDED_SIZE', 'batch_image', 'batch_references',
    'crop_to_unpadded', 'file_stem', 'first_reference', 'reference_names',
    'rgb_image', 'unpadded_size', 'unstack_references'
]
