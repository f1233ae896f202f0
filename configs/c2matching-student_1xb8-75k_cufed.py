# Stage 2: student (LR-upsampled input <-> HR reference) distilled from the
# frozen stage-1 teacher (spec §4).
_base_ = ['_base_/default_runtime.py', '_base_/datasets/cufed_contras.py']
experiment_name = 'c2matching-student_1xb8-75k_cufed'
work_dir = f'./work_dirs/{experiment_name}'
vgg16_weights = 'checkpoints/vgg16-397923af.pth'
teacher_checkpoint = 'work_dirs/c2matching-teacher_1xb8-5k_cufed/iter_5000.pth'

model = dict(
    type='ContrasStudent',
    student=dict(type='ContrasExtractor', pretrained=vgg16_weights),
    teacher=dict(
        type='ContrasExtractor',
        requires_grad=False,
        checkpoint=teacher_checkpoint,
        checkpoint_prefix='teacher.'),
    margin_loss=dict(
        type='ContrastiveMarginLoss', margin=1.0, safe_radius=4),
    distill_loss=dict(
        type='CorrelationDistillationLoss', temperature=0.15,
        loss_weight=15.),
    scale=4,
    border=10,
    min_points=128,
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        data_keys=[]))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=75_000, val_interval=5000)
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=False, milestones=[72_545], gamma=0.1)
default_hooks = dict(checkpoint=dict(interval=5000))
