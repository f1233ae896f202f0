# tools/robustness.py on CUFED5 (126 inputs, their level-1 references) with
# the released weights (tools/convert_official_ckpt.py) beside mmagic's TTSR
# (its own weights, e.g. from mmagic's model zoo); plain VGG features from
# ImageNet VGG16 in torch's hub cache.
_base_ = './robustness_demo.py'
data_root = 'data/CUFED5'
models = [
    dict(
        name='C2-Matching',
        config='configs/c2matching_cufed.py',
        checkpoint='checkpoints/c2matching_cufed.pth'),
    dict(
        name='TTSR',
        config='mmagic::ttsr/ttsr-gan_x4c64b16_1xb9-500k_CUFED.py',
        checkpoint='checkpoints/ttsr-gan_x4c64b16_1xb9-500k_CUFED.pth'),
    dict(
        name='C2-Matching, plain VGG matching',
        config='configs/c2matching_cufed.py',
        checkpoint='checkpoints/c2matching_cufed.pth',
        plain_matching=True),
]
plain_vgg = 'torchvision://vgg16'
out_dir = 'work_dirs/robustness_cufed5'
