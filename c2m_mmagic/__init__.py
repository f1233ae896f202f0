"""c2m_mmagic: C²-Matching reference-based super-resolution for mmagic.

Importing the package registers its components in mmagic's registries (and
its atomic file backend in mmengine's); it changes nothing else.
"""
from .version import __version__
from . import (utils, apis, datasets, engine, evaluation,  # noqa: F401
               models, visualization)

__all__ = ['__version__']
