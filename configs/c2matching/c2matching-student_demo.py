# Stage 2 on the embedded demo data, CPU-sized: 60 iterations of batch 4 on
# 96x96 homography windows at lr 5e-5, validated on the release's 160x160
# windows before and after: the student learns to match the blurred,
# upsampled LR input to the HR reference. The teacher is the stage-1 demo
# checkpoint (run c2matching-teacher_demo.py first).
_base_ = './c2matching-student_1xb8-75k_cufed.py'
experiment_name = 'c2matching-student_demo'
work_dir = f'./work_dirs/{experiment_name}'
demo_root = 'data/demo'
teacher_checkpoint = 'work_dirs/c2matching-teacher_demo/iter_20.pth'

model = dict(
    student=dict(pretrained=None),
    teacher=dict(init_cfg=dict(checkpoint=teacher_checkpoint)))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    dataset=dict(
        data_root=demo_root + '/CUFED',
        pipeline={{_base_.demo_contras_train_pipeline}}))
val_dataloader = dict(dataset=dict(data_root=demo_root + '/CUFED5'))
optim_wrapper = dict(optimizer=dict(lr=5e-5))
train_cfg = dict(max_iters=60, val_interval=60)
param_scheduler = []
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=60, max_keep_ckpts=1, save_best=None))
randomness = dict(seed=0)
