# Stage 2: student (LR-upsampled input <-> HR reference) distilled from the
# frozen stage-1 teacher (docs/method.md §4). Same data, margin loss and optimizer as
# stage 1; 75k iterations, lr x0.1 at 72,545.
_base_ = './c2matching-teacher_1xb8-5k_cufed.py'
experiment_name = 'c2matching-student_1xb8-75k_cufed'
work_dir = f'./work_dirs/{experiment_name}'
teacher_checkpoint = 'work_dirs/c2matching-teacher_1xb8-5k_cufed/iter_5000.pth'

model = dict(
    type='ContrasStudent',
    student=dict(
        type='ContrasExtractor', pretrained={{_base_.vgg16_weights}}),
    teacher=dict(
        pretrained=None,  # all of it comes from the stage-1 checkpoint
        requires_grad=False,
        init_cfg=dict(
            type='Pretrained', checkpoint=teacher_checkpoint,
            prefix='teacher.')),
    distill_loss=dict(
        type='CorrelationDistillationLoss', temperature=0.15,
        loss_weight=15.))

train_cfg = dict(max_iters=75_000, val_interval=5000)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[72_545], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=5000))
