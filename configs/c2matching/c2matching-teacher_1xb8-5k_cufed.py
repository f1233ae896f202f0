# Stage 1: contrastive teacher, HR input <-> HR reference (docs/method.md §3).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/datasets/cufed_contras.py'
]
experiment_name = 'c2matching-teacher_1xb8-5k_cufed'
work_dir = f'./work_dirs/{experiment_name}'
# ImageNet VGG16 from torch's hub cache (never downloaded) or a local file
vgg16_weights = 'torchvision://vgg16'

model = dict(
    type='ContrasTeacher',
    teacher=dict(type='ContrasExtractor', pretrained=vgg16_weights),
    margin_loss=dict(
        type='ContrastiveMarginLoss', margin=1.0, safe_radius=4),
    scale=4,
    border=10,
    min_points=128,
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        data_keys=[]))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=5000, val_interval=1000)
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = []
default_hooks = dict(
    checkpoint=dict(interval=1000, save_best='match/acc@1', rule='greater'))
# matching accuracy of the initial weights too, before training
custom_hooks = [dict(type='ValidateFirstHook')]
