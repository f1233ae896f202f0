"""Names that mmagic 1.2.0 imports and today's numpy and diffusers removed.

mmagic 1.2.0 predates numpy 2 and diffusers 0.26: importing it fails on
``numpy.bool8`` (removed in numpy 2), ``diffusers.pipelines.paint_by_example``
(now under ``diffusers.pipelines.deprecated``) and
``diffusers.models.unet_2d_condition`` (now under ``diffusers.models.unets``).
:func:`restore_removed_names` adds back exactly those names where, and only
where, the installed versions lack them: it replaces nothing that exists,
the moved modules are aliased lazily (imported under the old name only if
something asks for it, and only after the normal import found nothing), and
it logs at debug level what it added. ``import c2m_mmagic`` runs it before
importing mmagic.
"""
import importlib
import importlib.abc
import importlib.util
import logging
import sys
from types import ModuleType
from typing import Dict, List

logger = logging.getLogger(__name__)

# old module name -> where today's diffusers keeps it
MOVED_MODULES: Dict[str, str] = {
    'diffusers.pipelines.paint_by_example':
    'diffusers.pipelines.deprecated.paint_by_example',
    'diffusers.models.unet_2d_condition':
    'diffusers.models.unets.unet_2d_condition',
}


class MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves a moved module under its old name.

    Placed last on ``sys.meta_path``, it is asked only when no other finder
    found the old name, i.e. when the installed package no longer has it.

    Args:
        moved (dict): Old module name -> new module name.
    """

    def __init__(self, moved: Dict[str, str]) -> None:
        self.moved = dict(moved)

    def find_spec(self, name, path=None, target=None):
        new = self.moved.get(name)
        if new is None:
            return None
        try:
            if importlib.util.find_spec(new) is None:
                return None
        except ImportError:  # the new location's parent is missing too
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec) -> ModuleType:
        module = importlib.import_module(self.moved[spec.name])
        logger.debug('c2m_mmagic.compat: %s is %s', spec.name, module.__name__)
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The module is the new location's, already executed."""


def restore_removed_names(numpy=None, meta_path=None) -> List[str]:
    """Adds back the removed names mmagic 1.2.0 imports; idempotent.

    Args:
        numpy (module, optional): The numpy module (default: numpy).
        meta_path (list, optional): Import finders (default:
            ``sys.meta_path``).

    Returns:
        list[str]: What was added (empty where nothing was missing).
    """
    if numpy is None:
        import numpy
    meta_path = sys.meta_path if meta_path is None else meta_path
    added = []
    if not hasattr(numpy, 'bool8'):
        numpy.bool8 = numpy.bool_
        added.append('numpy.bool8 (= numpy.bool_)')
    if not any(isinstance(f, MovedModuleFinder) for f in meta_path):
        meta_path.append(MovedModuleFinder(MOVED_MODULES))
        added += [f'{old} (-> {new}, if missing)'
                  for old, new in MOVED_MODULES.items()]
    if added:
        logger.debug('c2m_mmagic.compat added: %s', ', '.join(added))
    return added
