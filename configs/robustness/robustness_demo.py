# Defaults of tools/robustness.py on the embedded demo test images (made by
# the quick start): the quick start's demo model, and the same model with
# plain VGG features in its matching (the ablation of the contrastive
# training). The sweeps cover the paper's robustness figures: rotations of
# the reference from 0 to 90 degrees, scales from 1/4 to 2.
data_root = 'data/demo/CUFED5'
ref_level = 1
angles = [0, 15, 30, 45, 60, 75, 90]
scales = [0.25, 0.5, 0.75, 1, 1.5, 2]
models = [
    dict(
        name='C2-Matching (demo)',
        config='configs/c2matching/c2matching-rec_demo.py',
        checkpoint='work_dirs/c2matching-rec_demo/iter_300.pth'),
    dict(
        name='demo, plain VGG matching',
        config='configs/c2matching/c2matching-rec_demo.py',
        checkpoint='work_dirs/c2matching-rec_demo/iter_300.pth',
        plain_matching=True),
]
# ImageNet VGG16 for the plain features (a local file or torchvision://vgg16
# from torch's hub cache); None: the demo's random start
plain_vgg = None
out_dir = 'work_dirs/robustness_demo'
