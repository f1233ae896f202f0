"""torchrun worker: first-step generator gradients of C2Matching under DDP.

Each of the WORLD_SIZE processes takes its share of one fixed 2-sample batch;
rank 0 saves the (all-reduced) gradients to argv[1]. The frozen parts (the
matching and the reference features) are computed for the whole batch in
every process: a near-tie of the matching can flip with the rounding of the
features, which depends on the batch size the convolution kernels see, and
the test is about what DDP reduces. With argv[2] == 'float64' the generator
and its inputs are in float64 (the reference the float32 runs are measured
against).
"""
import os.path as osp
import sys
import warnings

import torch
import torch.distributed as dist

warnings.filterwarnings('ignore')
sys.path[:0] = [osp.dirname(osp.dirname(osp.abspath(__file__))),
                osp.dirname(osp.abspath(__file__))]

import c2m_mmagic  # noqa: E402,F401
from mmengine.model import MMSeparateDistributedDataParallel  # noqa: E402

from c2m_mmagic.apis import build_model, random_weights_config  # noqa: E402
from helpers import make_batch, real_pair  # noqa: E402


def main(out_file: str, dtype: torch.dtype) -> None:
    dist.init_process_group('gloo')
    rank, world = dist.get_rank(), dist.get_world_size()
    cfg = random_weights_config(
        osp.join('c2matching', 'c2matching-rec_demo.py'))
    torch.manual_seed(0)
    model = build_model(cfg).train()
    gt, ref = real_pair((48, 48))
    data = model.data_preprocessor(make_batch(gt, ref, n=2), True)
    inputs = {}
    hook = model.generator.register_forward_hook(
        lambda module, args, out: inputs.update(args=args))
    with torch.no_grad():
        model.forward_train(data['inputs'], data['data_samples'])
    hook.remove()

    def share(t):
        return t[rank::world].to(dtype)

    x, pre_offsets, ref_feats = inputs['args']
    model.to(dtype)
    wrapped = MMSeparateDistributedDataParallel(model)
    out = model.generator(share(x),
                          {k: share(v) for k, v in pre_offsets.items()},
                          {k: share(v) for k, v in ref_feats.items()})
    model.pixel_loss(out, share(data['data_samples'].gt_img)).backward()
    generator = model.generator.module if world > 1 or hasattr(
        model.generator, 'module') else model.generator
    if rank == 0:
        torch.save({n: p.grad for n, p in generator.named_parameters()},
                   out_file)
    del wrapped
    dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1], getattr(torch, (sys.argv[2:] or ['float32'])[0]))
