"""c2m_mmagic: C²-Matching reference-based super-resolution for mmagic.

Importing the package registers its components in mmagic's registries.
"""
from .version import __version__
from . import (apis, datasets, engine, evaluation, models,  # noqa: F401
               visualization)

__all__ = ['__version__']
