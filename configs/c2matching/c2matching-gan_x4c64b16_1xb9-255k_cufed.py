# C²-Matching (GAN variant), stage 3 (docs/method.md §5.4; paper table 27.16 / .805 on
# CUFED5): 10,000 pixel-only iterations, then relu5_1 Frobenius perceptual
# loss, WGAN-GP and a discriminator that steps before the generator; only
# the discriminator's learning rate decays.
_base_ = './c2matching-rec_x4c64b16_1xb9-255k_cufed.py'
experiment_name = 'c2matching-gan_x4c64b16_1xb9-255k_cufed'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    discriminator=dict(type='C2MatchingDiscriminator'),
    perceptual_loss=dict(
        type='FrobeniusPerceptualLoss',
        layer_weights={'relu5_1': 1.0},
        loss_weight=1e-4,
        pretrained={{_base_.vgg19_weights}}),
    gan_loss=dict(type='GANLoss', gan_type='wgan', loss_weight=1e-6),
    gradient_penalty_loss=dict(
        type='SampleGradientPenaltyLoss', loss_weight=10., norm_mode='HWC'),
    train_cfg=dict(pixel_init=10_000))

optim_wrapper = dict(
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999))))
param_scheduler = dict(discriminator=[
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[72_545, 211_040],
        gamma=0.1)
])
