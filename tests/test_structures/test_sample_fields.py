"""The fields of a data sample: the one decoder of stacked references, the
one reader of the release's test padding, images as tensors."""
import numpy as np
import pytest
import torch

from mmagic.structures import DataSample
from c2m_mmagic.datasets.transforms import PadToCommonSize, StackReferences
from c2m_mmagic.structures import (batch_image, batch_references,
                                   crop_to_unpadded, first_reference,
                                   unstack_references)


def stacked_sample(sizes):
    """A sample as StackReferences + PackInputs give it: references of the
    given (h, w), filled with their index + 1, stacked on a zero canvas."""
    refs = [np.full((h, w, 3), k + 1, np.uint8) for k, (h, w) in
            enumerate(sizes)]
    results = StackReferences()(dict(ref=refs))
    ref = torch.from_numpy(np.stack(results['ref'])).permute(0, 3, 1, 2)
    return DataSample(ref_img=ref if len(sizes) > 1 else ref[0],
                      metainfo=dict(ref_sizes=results['ref_sizes']))


def test_stacked_references_decode_to_their_own_sizes():
    sample = stacked_sample([(12, 16), (20, 8), (16, 16)])
    refs = unstack_references(sample.ref_img, sample.metainfo['ref_sizes'])
    assert [tuple(r.shape) for r in refs] == [(3, 12, 16), (3, 20, 8),
                                              (3, 16, 16)]
    assert all(bool((r == k + 1).all()) for k, r in enumerate(refs))
    assert torch.equal(first_reference(sample), refs[0])
    one = stacked_sample([(12, 16)])
    assert first_reference(one).shape == (3, 12, 16)
    with pytest.raises(ValueError, match='ref_sizes'):
        unstack_references(sample.ref_img, [(12, 16)])


def test_a_batch_decodes_to_one_tensor_per_reference():
    batch = DataSample.stack([stacked_sample([(12, 16), (20, 8)])] * 2)
    refs = batch_references(batch, 'cpu', torch.float64)
    assert [tuple(r.shape) for r in refs] == [(2, 3, 12, 16), (2, 3, 20, 8)]
    assert refs[1].dtype == torch.float64
    assert float(refs[1].max()) == pytest.approx(2 / 255)
    mixed = DataSample.stack([stacked_sample([(12, 16), (20, 8)]),
                              stacked_sample([(20, 8), (12, 16)])])
    with pytest.raises(ValueError, match='the same for every sample'):
        batch_references(mixed, 'cpu')


def test_a_missing_field_names_the_pipeline_result():
    sample = DataSample(img_lq=torch.zeros(3, 4, 4, dtype=torch.uint8))
    assert batch_image(sample, 'img_lq', 'cpu').shape == (1, 3, 4, 4)
    with pytest.raises(ValueError, match='lack `ref_img`.*produce `ref`'):
        batch_image(sample, 'ref_img', 'cpu')


def test_what_pad_to_common_size_records_is_what_is_cropped_back():
    gt = np.random.default_rng(0).integers(0, 255, (10, 12, 3), np.uint8)
    ref = np.zeros((14, 9, 3), np.uint8)
    results = PadToCommonSize(keys=['gt', 'ref'])(dict(gt=gt, ref=ref))
    assert results['gt'].shape == results['ref'].shape == (14, 12, 3)
    assert not results['gt'][10:].any() and not results['ref'][:, 9:].any()
    sample = DataSample(metainfo=dict(unpadded_size=results['unpadded_size']))
    padded = torch.from_numpy(results['gt']).permute(2, 0, 1)
    cropped = crop_to_unpadded(padded, sample)
    assert torch.equal(cropped.permute(1, 2, 0), torch.from_numpy(gt))
    batch = DataSample.stack([sample, sample])
    assert crop_to_unpadded(padded[None], batch).shape == (1, 3, 10, 12)
    assert crop_to_unpadded(padded, DataSample()) is padded
