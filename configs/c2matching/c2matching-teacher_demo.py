# Stage 1 on the embedded demo data (tools/make_demo_data.py), CPU-sized:
# random-init VGG16, the same in both branches (stated in the log), batch 4
# of 96x96 homography windows, 20 iterations at lr 1e-6, validated on the
# release's 160x160 windows before and after. Identical branches already
# match HR pairs well; a short run from a random start can only perturb them
# (the release trains 5,000 iterations from ImageNet VGG16).
_base_ = './c2matching-teacher_1xb8-5k_cufed.py'
experiment_name = 'c2matching-teacher_demo'
work_dir = f'./work_dirs/{experiment_name}'
demo_root = 'data/demo'

model = dict(teacher=dict(pretrained=None))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    dataset=dict(
        data_root=demo_root + '/CUFED',
        pipeline={{_base_.demo_contras_train_pipeline}}))
val_dataloader = dict(dataset=dict(data_root=demo_root + '/CUFED5'))
optim_wrapper = dict(optimizer=dict(lr=1e-6))
train_cfg = dict(max_iters=20, val_interval=20)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=20, max_keep_ckpts=1, save_best=None))
randomness = dict(seed=0)
