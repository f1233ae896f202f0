"""Installs c2m_mmagic, the C²-Matching plugin for mmagic.

The requirements are ranges that the tested stacks satisfy, so that an
existing mmagic 1.x environment is not downgraded; torch and torchvision need
platform-specific builds and are not declared. On a fresh machine use
``tools/install.sh`` (exact pins from requirements/constraints*.txt); into an
environment that already has mmagic: ``pip install --no-deps -e .``.
"""
import os.path as osp

from setuptools import find_packages, setup


def read_requirements(name: str) -> list:
    """Reads a requirements file, skipping comments and blank lines."""
    path = osp.join(osp.dirname(__file__), 'requirements', name)
    with open(path) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version() -> str:
    """Reads ``__version__`` from c2m_mmagic/version.py without importing."""
    scope: dict = {}
    with open(osp.join(osp.dirname(__file__), 'c2m_mmagic', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='c2m_mmagic',
    version=read_version(),
    description='C²-Matching reference-based super-resolution for mmagic',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['c2m_mmagic', 'c2m_mmagic.*']),
    python_requires='>=3.9',
    install_requires=[
        'mmagic>=1.0.0,<2', 'mmengine>=0.10.0,<1', 'mmcv>=2.0.0,<2.2',
        'numpy', 'Pillow', 'scikit-image'
    ],
    extras_require={
        'tests': read_requirements('tests.txt'),
        # tools/install.sh --demo installs Gradio without its declared
        # dependencies (requirements/demo-nodeps.txt says why)
        'demo': read_requirements('demo.txt') +
        read_requirements('demo-nodeps.txt'),
    },
    license='Apache-2.0',
)
