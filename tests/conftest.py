import os
import os.path as osp
import warnings

import pytest
import torch

# Without a GPU, Triton kernels run under Triton's interpreter on the CPU
# (the fused matching's tests); it must be on before Triton is imported.
if not torch.cuda.is_available():
    os.environ.setdefault('TRITON_INTERPRET', '1')

from mmengine.registry import init_default_scope  # noqa: E402

warnings.filterwarnings('ignore', category=UserWarning)

import c2m_mmagic  # noqa: E402,F401  (registers components)


# Tests whose numbers depend on the CPU kernels PyTorch and oneDNN pick
# (.ci/run runs them again under AVX2 dispatch): every model test, and those
# marked `numerics` elsewhere.
NUMERICS_DIRS = ('test_models', )


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = osp.relpath(str(item.fspath), osp.dirname(__file__)).split(
            osp.sep)
        if parts[0] in NUMERICS_DIRS:
            item.add_marker(pytest.mark.numerics)


@pytest.fixture(autouse=True)
def mmagic_scope():
    """Components are built the way configs build them: in mmagic's scope."""
    init_default_scope('mmagic')
    torch.manual_seed(0)
    yield


@pytest.fixture(scope='session')
def demo_root(tmp_path_factory):
    """The embedded demo dataset (CUFED and CUFED5 layouts), made once."""
    from c2m_mmagic.datasets import make_demo_dataset
    root = str(tmp_path_factory.mktemp('demo'))
    make_demo_dataset(root)
    return root
