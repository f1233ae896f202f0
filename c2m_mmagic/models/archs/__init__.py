from .deform_conv import (DEFORM_CONVS, DeformConvOp, bilinear_samples,
                          deform_conv_for, modulate_and_project,
                          modulated_deform_conv2d_pytorch, sampling_positions)
from .vgg_trunk import (ImageNetNormalized, build_vgg_trunk,
                        load_torchvision_vgg, log_random_init,
                        torchvision_revise_keys, trunk_features,
                        vgg_layer_names)

__all__ = [
    'DEFORM_CONVS', 'DeformConvOp', 'bilinear_samples', 'deform_conv_for',
    'modulate_and_project', 'sampling_positions', 'ImageNetNormalized', 'build_vgg_trunk', 'load_torchvision_vgg',
    'log_random_init', 'modulated_deform_conv2d_pytorch',
    'torchvision_revise_keys', 'trunk_features', 'vgg_layer_names'
]
