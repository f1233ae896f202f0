import warnings

import pytest
import torch
from mmengine.registry import init_default_scope

warnings.filterwarnings('ignore', category=UserWarning)

import c2m_mmagic  # noqa: E402,F401  (registers components)


@pytest.fixture(autouse=True)
def mmagic_scope():
    """Components are built the way configs build them: in mmagic's scope."""
    init_default_scope('mmagic')
    torch.manual_seed(0)
    yield
