from .deform_conv import (DEFORM_CONVS, DeformConvOp, bilinear_samples,
                          deform_conv_for, modulate_and_project,
                          modulated_deform_conv2d_pytorch, sampling_positions)
from .vgg_trunk import (ImageNetNormalized, banded_trunk_features,
                        build_vgg_trunk, load_torchvision_vgg,
                        log_random_init, receptive_field,
                        torchvision_revise_keys, trunk_features,
                        vgg_layer_names)

__all__ = [
    'DEFORM_CONVS', 'DeformConvOp', 'ImageNetNormalized',
    'banded_trunk_features', 'bilinear_samples', 'build_vgg_trunk',
    'deform_conv_for', 'load_torchvision_vgg', 'log_random_init',
    'modulate_and_project', 'modulated_deform_conv2d_pytorch',
    'receptive_field', 'sampling_positions', 'torchvision_revise_keys',
    'trunk_features', 'vgg_layer_names'
]
