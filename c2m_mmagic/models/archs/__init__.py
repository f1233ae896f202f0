from .deform_conv import (DEFORM_CONVS, DeformConvOp, deform_conv_for,
                          modulated_deform_conv2d_pytorch)
from .vgg_trunk import (ImageNetNormalized, build_vgg_trunk,
                        load_torchvision_vgg, log_random_init,
                        torchvision_revise_keys, trunk_features,
                        vgg_layer_names)

__all__ = [
    'DEFORM_CONVS', 'DeformConvOp', 'deform_conv_for', 'ImageNetNormalized', 'build_vgg_trunk', 'load_torchvision_vgg',
    'log_random_init', 'modulated_deform_conv2d_pytorch',
    'torchvision_revise_keys', 'trunk_features', 'vgg_layer_names'
]
