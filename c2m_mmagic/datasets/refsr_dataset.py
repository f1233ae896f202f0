"""Ref-SR test sets: input/reference pairing protocols and up-front checks."""
import os
import os.path as osp
from typing import Dict, List, Tuple

from PIL import Image

from mmagic.datasets import BasicImageDataset
from mmagic.registry import DATASETS

PROTOCOLS = ('same_name', 'first_in_folder', 'next_in_set', 'self',
             'all_numbered')
IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')


def unreadable_image(path: str) -> str:
    """Returns why ``path`` is not a readable image, or '' when it is."""
    if not osp.isfile(path):
        return 'missing'
    try:
        with Image.open(path) as img:
            img.verify()
        with Image.open(path) as img:
            img.load()  # verify() does not decode; truncation shows here
    except Exception as err:  # PIL raises many kinds
        return f'unreadable ({type(err).__name__}: {err})'
    return ''


def read_pair_list(path: str, what: str) -> List[Tuple[str, List[str]]]:
    """(input, [references]) of the ``<input> <reference> [<reference> ...]``
    lines of a pair list (the release's ``ann_file`` format); blank lines and
    ``#`` comments are skipped, the order is kept.

    Raises:
        FileNotFoundError, ValueError: One line naming ``what``, the file
        and, for a malformed line, its number.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what}: pair list not found: {path}')
    pairs = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            fields = line.split('#')[0].split()
            if not fields:
                continue
            if len(fields) < 2:
                raise ValueError(
                    f'{what}: {path}, line {number}: expected "<input> '
                    f'<reference> [<reference> ...]", got {line.strip()!r}')
            pairs.append((fields[0], fields[1:]))
    return pairs


@DATASETS.register_module()
class RefSRDataset(BasicImageDataset):
    """mmagic's BasicImageDataset with a reference protocol and file checks.

    With ``ann_file``, a pair list as the release reads it: one
    ``<input> <reference>`` per line, paths relative to ``data_prefix['gt']``
    and ``data_prefix['ref']`` (blank lines and ``#`` comments skipped; the
    file order is kept); a line naming several references gives that input
    all of them (``ref_path`` a list). With ``ref_protocol='self'`` the
    reference column is not read. Without ``ann_file``, every input (``gt``)
    found in the folder gets a reference by ``ref_protocol``:

    - 'same_name': ``data_prefix['ref']`` + ``filename_tmpl['ref']`` (CUFED5
      levels, WR-SR's ``NNN_ref``), as BasicImageDataset does;
    - 'first_in_folder': the first image (sorted) of the folder
      ``data_prefix['ref']/<input name>/`` (Sun80);
    - 'next_in_set': the next input of the sorted set, cyclically (Manga109);
    - 'self': no reference file; the pipeline makes one from the input
      (Urban100: the upsampled LR image, ``CopyValues``);
    - 'all_numbered': every reference ``<input name>_<n>.<ext>`` (n >= 1) of
      ``data_prefix['ref']``, by n (all levels of CUFED5, all references of
      Sun80 numbered so): several references per input.

    Before any work starts, every referenced file is checked; missing (and,
    with ``check='decode'``, undecodable) ones are reported together, by
    file name.

    Args:
        ann_file (str): Pair list, relative to ``data_root`` unless absolute.
            Default: '' (pair by ``ref_protocol``).
        ref_protocol (str): One of the above. Default: 'same_name'.
        check (str): 'decode' (open and decode every image: test sets),
            'exists' (large training sets) or 'none'. Default: 'decode'.
        **kwargs: BasicImageDataset arguments.
    """

    def __init__(self,
                 ref_protocol: str = 'same_name',
                 check: str = 'decode',
                 **kwargs) -> None:
        if ref_protocol not in PROTOCOLS:
            raise ValueError(f'ref_protocol must be one of {PROTOCOLS}, '
                             f'got {ref_protocol!r}')
        if check not in ('decode', 'exists', 'none'):
            raise ValueError(f"check must be 'decode', 'exists' or 'none', "
                             f'got {check!r}')
        self.ref_protocol = ref_protocol
        self.check = check
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Pairs inputs with references and checks every file."""
        for key, folder in self.data_prefix.items():
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f'{type(self).__name__}: {key} folder not found: {folder}')
        data_list = self.pairs_from_ann_file() if self.ann_file else \
            self.pairs_by_protocol()
        if not data_list:
            raise ValueError(f'{type(self).__name__}: no images in '
                             f'{self.ann_file or self.data_prefix["gt"]}')
        self.check_files(data_list)
        return data_list

    def pairs_by_protocol(self) -> List[dict]:
        """The inputs of the folder (sorted), paired by ``ref_protocol``."""
        data_list = sorted(super().load_data_list(), key=lambda d: d['key'])
        if self.ref_protocol == 'first_in_folder':
            for data in data_list:
                folder = osp.join(self.data_prefix['ref'], data['key'])
                refs = sorted(f for f in os.listdir(folder)
                              if f.lower().endswith(IMG_EXTENSIONS)) \
                    if osp.isdir(folder) else []
                data['ref_path'] = osp.join(folder, refs[0]) if refs \
                    else folder
        elif self.ref_protocol == 'next_in_set':
            for i, data in enumerate(data_list):
                data['ref_path'] = data_list[(i + 1) % len(data_list)][
                    'gt_path']
        elif self.ref_protocol == 'all_numbered':
            numbered = self.numbered_references()
            for data in data_list:
                data['ref_path'] = numbered.get(data['key']) or osp.join(
                    self.data_prefix['ref'], data['key'] + '_<n>')
        return data_list

    def numbered_references(self) -> Dict[str, List[str]]:
        """name -> its ``<name>_<n>.<ext>`` files (n >= 1) in the reference
        folder, ordered by n."""
        found: Dict[str, list] = {}
        for name in os.listdir(self.data_prefix['ref']):
            stem, ext = osp.splitext(name)
            key, _, number = stem.rpartition('_')
            if key and number.isdigit() and int(number) >= 1 and \
                    ext.lower() in IMG_EXTENSIONS:
                found.setdefault(key, []).append((int(number), name))
        return {
            key: [osp.join(self.data_prefix['ref'], n) for _, n in sorted(v)]
            for key, v in found.items()
        }

    def pairs_from_ann_file(self) -> List[dict]:
        """``<input> <reference> [<reference> ...]`` lines of ``ann_file``
        as data infos."""
        data_list = []
        for inp, refs in read_pair_list(self.ann_file,
                                        type(self).__name__):
            data = dict(
                key=osp.splitext(inp)[0],
                gt_path=osp.join(self.data_prefix['gt'], inp))
            if self.ref_protocol != 'self':
                refs = [osp.join(self.data_prefix['ref'], r) for r in refs]
                data['ref_path'] = refs[0] if len(refs) == 1 else refs
            data_list.append(data)
        return data_list

    def check_files(self, data_list: List[dict]) -> None:
        """Raises one error naming every missing or unreadable file."""
        if self.check == 'none':
            return
        problems = []
        for data in data_list:
            paths = [data.get('gt_path')] + (
                data['ref_path'] if isinstance(data.get('ref_path'), list)
                else [data.get('ref_path')])
            for path in filter(None, paths):
                why = unreadable_image(path) if self.check == 'decode' \
                    else ('' if osp.isfile(path) else 'missing')
                if why:
                    problems.append(f'{path}: {why}')
        if problems:
            shown = '\n  '.join(problems[:20])
            more = f'\n  ... and {len(problems) - 20} more' \
                if len(problems) > 20 else ''
            raise ValueError(
                f'{type(self).__name__}: {len(problems)} bad file(s) '
                f'(protocol {self.ref_protocol!r}):\n  {shown}{more}')
