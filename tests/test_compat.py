"""c2m_mmagic.compat: the names mmagic 1.2.0 needs, added only if missing."""
import importlib
import sys
import types

import numpy as np

from c2m_mmagic.compat import (MOVED_MODULES, MovedModuleFinder,
                               restore_removed_names)


def test_missing_numpy_alias_is_added_and_present_ones_are_kept():
    fake = types.SimpleNamespace(bool_=np.bool_)  # numpy 2: no bool8
    added = restore_removed_names(numpy=fake, meta_path=[])
    assert fake.bool8 is np.bool_
    assert added[0] == 'numpy.bool8 (= numpy.bool_)'
    keep = object()
    old = types.SimpleNamespace(bool_=np.bool_, bool8=keep)  # numpy 1.x
    assert not any('bool8' in a for a in restore_removed_names(
        numpy=old, meta_path=[MovedModuleFinder({})]))
    assert old.bool8 is keep


def test_moved_modules_are_served_under_the_old_name_only_when_missing(
        tmp_path, monkeypatch):
    """A package that moved a module: the old name resolves to the new
    module; a package that still has it keeps its own."""
    pkg = tmp_path / 'pkgc2m'
    (pkg / 'deprecated' / 'thing').mkdir(parents=True)
    (pkg / 'kept').mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / 'deprecated' / '__init__.py').write_text('')
    (pkg / 'deprecated' / 'thing' / '__init__.py').write_text('VALUE = 7\n')
    (pkg / 'kept' / '__init__.py').write_text('VALUE = 1\n')
    (pkg / 'shadow').mkdir()
    (pkg / 'shadow' / '__init__.py').write_text('VALUE = 2\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    finder = MovedModuleFinder({
        'pkgc2m.thing': 'pkgc2m.deprecated.thing',
        'pkgc2m.kept': 'pkgc2m.shadow',
        'pkgc2m.gone': 'pkgc2m.nowhere',
    })
    monkeypatch.setattr(sys, 'meta_path', sys.meta_path + [finder])
    moved = importlib.import_module('pkgc2m.thing')
    assert moved is importlib.import_module('pkgc2m.deprecated.thing')
    assert moved.VALUE == 7
    assert importlib.import_module('pkgc2m.kept').VALUE == 1
    try:
        importlib.import_module('pkgc2m.gone')
    except ModuleNotFoundError:
        pass
    else:
        raise AssertionError('a module missing at both places was served')
    for name in list(sys.modules):
        if name.startswith('pkgc2m'):
            del sys.modules[name]


def test_the_installed_stack_imports_mmagic_with_the_package():
    """Whatever numpy and diffusers are installed, the names mmagic 1.2.0
    imports resolve (to the original modules where they still exist)."""
    import mmagic.models  # noqa: F401  (imported by c2m_mmagic already)
    assert hasattr(np, 'bool8')
    from importlib.machinery import PathFinder
    for old, new in MOVED_MODULES.items():
        module = importlib.import_module(old)
        parent = importlib.import_module(old.rpartition('.')[0])
        native = PathFinder.find_spec(old, parent.__path__) is not None
        assert module.__name__ == (old if native else new), old
