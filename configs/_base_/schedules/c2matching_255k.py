# Stage-3 schedule of the release (docs/method.md §5.4): Adam 1e-4, the offset
# branches of relu3_1 / relu2_1 / relu1_1 at 1e-6 / 1e-5 / 1e-4, 255,000
# iterations, and a generator learning rate that never decays (the
# release's schedulers exist only for the discriminator). To decay the
# generator as the paper's text reads, add to a config inheriting this:
#   param_scheduler = dict(generator=[dict(type='MultiStepLR', by_epoch=False,
#                                          milestones=[72_545, 211_040], gamma=0.1)])
# The generator's Adam holds one parameter group per distinct learning rate,
# as released (GroupedMultiOptimWrapperConstructor; mmengine's own constructor
# would give each of its 296 tensors a group of its own).
train_cfg = dict(type='IterBasedTrainLoop', max_iters=255_000, val_interval=5000)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')

optim_wrapper = dict(
    constructor='GroupedMultiOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999)),
        paramwise_cfg=dict(
            custom_keys={
                'small_offset_conv': dict(lr_mult=0.01),
                'small_dyn_agg.conv_offset_mask': dict(lr_mult=0.01),
                'medium_offset_conv': dict(lr_mult=0.1),
                'medium_dyn_agg.conv_offset_mask': dict(lr_mult=0.1),
                'large_offset_conv': dict(lr_mult=1.0),
                'large_dyn_agg.conv_offset_mask': dict(lr_mult=1.0),
            })))
param_scheduler = dict(generator=[])
