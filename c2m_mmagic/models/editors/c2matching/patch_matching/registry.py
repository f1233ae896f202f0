"""The implementations of the patch matching, by name: what
``test_cfg.matching``, ``--matching`` and the benchmark choose from.

Every implementation computes the same definition (docs/method.md §5.1) and
takes ``(feat_in, feat_ref, chunk_elements, ref_valid, progress)``, returning
``(index, score)`` (:func:`~.pixel.match_patches` documents the contract).
"""
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import torch

AUTO = 'auto'


class Matching(NamedTuple):
    """A registered implementation.

    Attributes:
        name (str): Its name in configs and on command lines.
        fn (callable): The implementation.
        summary (str): What it does, in a few words (logs and ``--help``).
        devices (tuple[str], optional): The device types it runs on (None:
            any).
    """
    name: str
    fn: Callable
    summary: str
    devices: Optional[Tuple[str, ...]] = None

    def runs_on(self, device) -> bool:
        """Whether it runs on ``device``."""
        return self.devices is None or torch.device(
            device).type in self.devices


MATCHINGS: Dict[str, Matching] = {}


def register_matching(name: str,
                      summary: str,
                      devices: Optional[Tuple[str, ...]] = None) -> Callable:
    """Registers the decorated function as the implementation ``name``
    (running on ``devices``, None: any)."""

    def register(fn: Callable) -> Callable:
        if name in MATCHINGS or name == AUTO:
            raise KeyError(f'a matching named {name!r} is registered already')
        MATCHINGS[name] = Matching(name, fn, summary, devices)
        return fn

    return register


def auto_matching(device) -> str:
    """What 'auto' chooses: ``rescored`` on CUDA (compute-bound there),
    ``pixel`` elsewhere (docs/method.md §8)."""
    return 'rescored' if torch.device(device).type == 'cuda' else 'pixel'


def matching_choices() -> List[str]:
    """The names a config or a command line may give."""
    return [AUTO] + sorted(MATCHINGS)


def matching_help() -> str:
    """One line per choice, for ``--help``."""
    return '; '.join(
        ['auto: rescored on CUDA, pixel elsewhere (default)'] +
        [f'{m.name}: {m.summary}' for _, m in sorted(MATCHINGS.items())])


def check_matching(name: str, what: str = 'matching') -> str:
    """``name`` when it is a choice; else one line naming ``what``."""
    if name != AUTO and name not in MATCHINGS:
        raise ValueError(f'{what} must be {AUTO} or one of '
                         f'{sorted(MATCHINGS)}, got {name!r}')
    return name


def matching_for(name: str, device) -> str:
    """The implementation ``name`` names on ``device`` ('auto' resolved)."""
    check_matching(name)
    return auto_matching(device) if name == AUTO else name
