"""c2m_mmagic: C²-Matching reference-based super-resolution for mmagic.

Importing the package registers its components in mmagic's registries (and
its atomic file backend in mmengine's). Before it imports mmagic, it adds
back the few names mmagic 1.2.0 needs that numpy 2 and current diffusers
removed (:mod:`c2m_mmagic.compat`, nothing where they exist); with numpy 2,
import c2m_mmagic before mmagic.
"""
from .compat import restore_removed_names

restore_removed_names()

from .version import __version__  # noqa: E402
from . import (utils, structures, apis, datasets, engine,  # noqa: E402,F401
               evaluation, models, visualization)

__all__ = ['__version__', 'restore_removed_names']
