"""C²-Matching in the browser: your photo and your references in, the result
beside bicubic (a Gradio app, as mmagic ships its demos).

Upload a low-resolution photo, or a high-resolution one with "make the LR
for me" (it is shrunk ×4 with bicubic, and the original scores both
results), and one or more references of related content; the page previews
what went in. It shows bicubic and C²-Matching under a before/after slider
at full resolution and side by side, their Y-PSNR when the truth is known,
the time it took, the tiling in force for large photos, and the SR PNG to
download. Three examples (the stereo pair, a photo with a displaced crop as
its reference, the high-resolution mode) run in one click. Without CONFIG
and CKPT it serves the demo model the quick start trained
(work_dirs/c2matching-rec_demo/).

Setup (once): bash tools/install.sh --demo

Examples:
    python demo/gradio_refsr.py
    python demo/gradio_refsr.py configs/c2matching_cufed.py \\
        checkpoints/c2matching_cufed.pth --device cuda --port 7860
"""
import argparse
import logging
import os
import os.path as osp
import re
import sys
import tempfile
import time
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(REPO, 'configs', 'c2matching',
                       'c2matching-rec_demo.py')
DEMO_WORK_DIR = osp.join(REPO, 'work_dirs', 'c2matching-rec_demo')
# an absolute path (a server's temporary upload folder ...): its file name
ABSOLUTE_PATH = re.compile(r"(?:/[^\s/'\"]+)+/([^\s/'\"]+)")


def demo_checkpoint() -> Optional[str]:
    """The checkpoint the quick start's stage 3 wrote last, if any."""
    last = osp.join(DEMO_WORK_DIR, 'last_checkpoint')
    if not osp.isfile(last):
        return None
    with open(last) as f:
        path = f.read().strip()
    return path if osp.isabs(path) else osp.join(REPO, path)


def without_paths(message: str) -> str:
    """``message`` with every absolute path shortened to its file name: a
    web user reads the name they uploaded, nothing of the server's disk."""
    return ABSOLUTE_PATH.sub(r'\1', str(message))


def upload_path(upload) -> str:
    """The server path of an upload (Gradio gives a path or a file object;
    the file keeps the name it was uploaded with)."""
    return getattr(upload, 'name', upload)


def check_upload(path: str, what: str, min_side: int = 1,
                 mod: int = 1) -> Tuple[int, int]:
    """An uploaded image's (width, height), or one line naming it as the
    user named it and saying what is wrong."""
    from c2m_mmagic.apis import check_image
    from c2m_mmagic.datasets.refsr_dataset import unreadable_image
    name = osp.basename(path)
    why = unreadable_image(path)
    if why == 'missing':
        raise ValueError(f'{what} {name}: the upload did not arrive; upload '
                         'it again')
    if why:
        raise ValueError(f'{what} {name}: not an image this page can read '
                         f'({without_paths(why)[len("unreadable ("):-1]})')
    return check_image(path, f'{what} {name}', min_side, mod)


def write_examples(folder: str) -> List[list]:
    """The page's examples, made from photos bundled with scikit-image:
    [photo, [references], high-resolution?] rows.

    - the stereo motorcycle pair: the left view shrunk ×4 (bicubic) as the
      photo, the right view (parallax) as the reference;
    - chelsea: the photo shrunk ×4, a displaced crop of it as the reference;
    - the high-resolution mode: the left view itself (the page shrinks it
      and scores both results against it).
    """
    from skimage import data
    from c2m_mmagic.datasets.demo_data import stereo_pair
    from c2m_mmagic.utils import bicubic_input
    os.makedirs(folder, exist_ok=True)
    left, right = stereo_pair((248, 368))
    cat = data.chelsea()[20:268, 40:400]
    cat_ref = data.chelsea()[44:292, 72:432]
    files = dict(
        stereo_left_x4_lr=bicubic_input(left)[1], stereo_right=right,
        stereo_left=left, chelsea_x4_lr=bicubic_input(cat)[1],
        chelsea_displaced_crop=cat_ref)
    paths = {}
    for name, img in files.items():
        paths[name] = osp.join(folder, f'{name}.png')
        if not osp.isfile(paths[name]):
            Image.fromarray(img).save(paths[name])
    return [[paths['stereo_left_x4_lr'], [paths['stereo_right']], False],
            [paths['chelsea_x4_lr'], [paths['chelsea_displaced_crop']],
             False],
            [paths['stereo_left'], [paths['stereo_right']], True]]


class RefSRDemo:
    """What the page does, apart from the page.

    Args:
        config (str): Model config.
        checkpoint (str, optional): Its weights; a missing file is reported
            on the page (nothing can be restored then).
        device (str): 'cpu' or 'cuda'.
        out_dir (str, optional): Where the SR PNGs to download go.
        test_cfg (dict, optional): Overrides of the model's ``test_cfg``
            (``tile``, ``max_pixels_per_pass``, ``max_ref_pixels``,
            ``matching``).
    """

    def __init__(self,
                 config: str,
                 checkpoint: Optional[str],
                 device: str = 'cpu',
                 out_dir: Optional[str] = None,
                 test_cfg: Optional[dict] = None) -> None:
        self.config, self.checkpoint, self.device = config, checkpoint, device
        self.out_dir = out_dir or tempfile.mkdtemp(prefix='c2m_gradio_')
        self.inferencer = None
        self.problem = None
        if not checkpoint or not osp.isfile(checkpoint):
            self.problem = (
                f'no checkpoint at {checkpoint}: run `bash tools/quickstart.sh`'
                ' for the demo model, or start this page with CONFIG CKPT'
                if checkpoint else 'no checkpoint: the quick start has not '
                'trained the demo model yet (run `bash tools/quickstart.sh`),'
                ' or start this page with CONFIG CKPT')
            return
        from c2m_mmagic.apis import RefSRInferencer
        from c2m_mmagic.utils import weights_only_globals
        try:
            with weights_only_globals():
                self.inferencer = RefSRInferencer(
                    config, checkpoint, device,
                    test_cfg=dict(tile_progress=True, **(test_cfg or {})))
        except (FileNotFoundError, ValueError, KeyError, OSError) as err:
            self.problem = f'the model could not be loaded: {err}'

    def model_line(self) -> str:
        """Which model the page serves, in one line of Markdown."""
        demo = '' if self.config != DEMO_CONFIG else (
            ' — the demo model the quick start trained on the embedded '
            'photos (a short CPU run: expect modest gains; give the released'
            ' weights for real ones)')
        checkpoint = osp.relpath(self.checkpoint, REPO) if self.checkpoint \
            and self.checkpoint.startswith(REPO) else self.checkpoint
        return (f'**Model:** `{osp.relpath(self.config, REPO)}`, checkpoint '
                f'`{checkpoint}` on {self.device}{demo}.')

    def preview_photo(self, upload) -> Tuple[Optional[str], str]:
        """The uploaded photo as a preview, or the line saying what is wrong
        with it (and no preview)."""
        if not upload:
            return None, ''
        path = upload_path(upload)
        try:
            width, height = check_upload(path, 'photo')
        except ValueError as err:
            return None, f'**Error:** {without_paths(err)}'
        return path, (f'Photo `{osp.basename(path)}`: {width}x{height} '
                      'pixels.')

    def preview_refs(self, uploads) -> Tuple[List[tuple], str]:
        """The uploaded references as a gallery (image, file name), and a
        line naming those that cannot be used."""
        from c2m_mmagic.apis import MIN_REFERENCE_SIDE, UPSCALE
        shown, problems = [], []
        for upload in uploads or []:
            path = upload_path(upload)
            try:
                width, height = check_upload(path, 'reference',
                                             MIN_REFERENCE_SIDE, UPSCALE)
            except ValueError as err:
                problems.append(without_paths(err))
                continue
            shown.append((path, f'{osp.basename(path)} ({width}x{height})'))
        return shown, ('**Error:** ' + '; '.join(problems)) if problems \
            else ''

    def restore(self, image: Optional[str], refs: Optional[List],
                is_hr: bool, progress=None):
        """The page's action.

        Args:
            image (str): Path of the uploaded photo.
            refs (list): Uploaded reference files (paths or file objects).
            is_hr (bool): The photo is high-resolution: make its ×4 LR.
            progress (callable, optional): Gradio's progress.

        Returns:
            tuple: bicubic and SR (uint8 RGB or None), the SR PNG's path (or
            None) and a Markdown status (one line for what went wrong, with
            the files named as uploaded and no server path).
        """
        start = time.perf_counter()
        try:
            return self._restore(image, refs, is_hr, progress, start)
        except (FileNotFoundError, ValueError, KeyError, OSError) as err:
            return None, None, None, f'**Error:** {without_paths(err)}'
        except Exception as err:  # the page keeps serving; the log has it
            logging.getLogger(__name__).exception('restoration failed')
            return None, None, None, (f'**Error:** {type(err).__name__}: '
                                      f'{without_paths(err)}')

    def _restore(self, image, refs, is_hr, progress, start):
        from c2m_mmagic.apis import (MIN_INPUT_SIDE, MIN_REFERENCE_SIDE,
                                     UPSCALE)
        from c2m_mmagic.evaluation import y_psnr
        from c2m_mmagic.structures import rgb_image
        if self.inferencer is None:
            raise ValueError(self.problem)
        if not image:
            raise ValueError('upload a photo to restore')
        image = upload_path(image)
        refs = [upload_path(r) for r in refs or []]
        if not refs:
            raise ValueError('upload at least one reference')
        if progress:
            progress(0.05, desc='reading the images')
        check_upload(image, 'photo')
        ref_sizes = []
        for path in refs:
            width, height = check_upload(path, 'reference',
                                         MIN_REFERENCE_SIDE, UPSCALE)
            ref_sizes.append((height, width))
        gt, lr_path = None, image
        if is_hr:
            gt, lr_path = self.make_lr(image)
        width, height = check_upload(
            lr_path, 'photo shrunk x4,' if is_hr else 'LR photo',
            MIN_INPUT_SIDE)
        budget = self.inferencer.tiling_line(height, width, ref_sizes)
        if progress:
            progress(0.2, desc='matching and restoring')
        sample = self.inferencer.predict(lr_path, refs)
        sr = rgb_image(sample.output.pred_img, bgr=True)
        bicubic = rgb_image(sample.img_lq,
                            bgr=False)[:sr.shape[0], :sr.shape[1]]
        png = osp.join(self.out_dir,
                       f'{osp.splitext(osp.basename(image))[0]}_x4_'
                       f'{int(time.time() * 1000)}.png')
        Image.fromarray(sr).save(png)
        lines = [f'Done in {time.perf_counter() - start:.1f} s with '
                 f'{len(refs)} reference{"s" if len(refs) > 1 else ""}. '
                 + budget]
        if gt is not None:
            lines.append(
                f'Y-PSNR against your photo: bicubic '
                f'{y_psnr(bicubic, gt):.2f} dB, C²-Matching '
                f'{y_psnr(sr, gt):.2f} dB.')
        return bicubic, sr, png, '\n\n'.join(lines)

    def make_lr(self, image: str) -> Tuple[np.ndarray, str]:
        """The photo cropped to multiples of 4 (the truth) and its ×4 PIL
        bicubic shrink, written as a PNG (the input) named after it."""
        from c2m_mmagic.apis import MIN_REFERENCE_SIDE
        from c2m_mmagic.utils import bicubic_input
        import mmcv
        hr = mmcv.imread(image, channel_order='rgb')
        h, w = hr.shape[0] // 4 * 4, hr.shape[1] // 4 * 4
        if min(h, w) < MIN_REFERENCE_SIDE:
            raise ValueError(
                f'photo {osp.basename(image)}: {hr.shape[1]}x{hr.shape[0]} '
                'pixels is too small to shrink x4 for 3x3 feature patches '
                f'(at least {MIN_REFERENCE_SIDE}x{MIN_REFERENCE_SIDE})')
        gt = np.ascontiguousarray(hr[:h, :w])
        folder = tempfile.mkdtemp(dir=self.out_dir)
        path = osp.join(folder, osp.basename(image))
        Image.fromarray(bicubic_input(gt)[1]).save(path, format='PNG')
        return gt, path


def build_page(demo: RefSRDemo, examples: Sequence[list] = ()):
    """The Gradio page."""
    import gradio as gr

    def run(image, refs, is_hr, progress=gr.Progress(track_tqdm=True)):
        bicubic, sr, png, status = demo.restore(image, refs, is_hr, progress)
        slider = (bicubic, sr) if sr is not None else None
        return slider, bicubic, sr, png, status

    with gr.Blocks(title='C²-Matching reference-based super-resolution') \
            as page:
        gr.Markdown(
            '# C²-Matching: reference-based ×4 super-resolution\n'
            'A photo is restored with the texture of one or more references '
            'of related content (Jiang et al., CVPR 2021, in mmagic).\n\n' +
            demo.model_line() +
            (f'\n\n**Not ready:** {demo.problem}' if demo.problem else ''))
        with gr.Row():
            with gr.Column(scale=2):
                # files, not gr.Image, and any type: what is not an image
                # gets this page's one line naming it, not Gradio's refusal
                image = gr.File(label='Photo to restore', elem_id='photo')
                photo_preview = gr.Image(label='Photo', type='filepath',
                                         interactive=False, height=200,
                                         elem_id='photo_preview')
                is_hr = gr.Checkbox(
                    label='This is a high-resolution photo: make the ×4 '
                    'low-resolution input for me (bicubic) and score against '
                    'it', value=False, elem_id='is_hr')
                refs = gr.File(file_count='multiple',
                               label='References (one or more)',
                               elem_id='refs')
                refs_preview = gr.Gallery(label='References', height=200,
                                          columns=3, elem_id='refs_preview')
                upload_status = gr.Markdown(elem_id='upload_status')
                button = gr.Button('Restore', variant='primary',
                                   elem_id='restore')
            with gr.Column(scale=3):
                status = gr.Markdown(elem_id='status')
                compare = gr.ImageSlider(
                    label='Bicubic | C²-Matching (drag the handle; full '
                    'resolution)', type='numpy', format='png',
                    max_height=1200, buttons=['fullscreen'],
                    elem_id='compare')
                with gr.Row():
                    bicubic = gr.Image(label='Bicubic', type='numpy',
                                       elem_id='bicubic', format='png')
                    sr = gr.Image(label='C²-Matching', type='numpy',
                                  elem_id='sr', format='png')
                download = gr.File(label='SR PNG', elem_id='download')
        outputs = [compare, bicubic, sr, download, status]
        image.change(demo.preview_photo, image,
                     [photo_preview, upload_status])
        refs.change(demo.preview_refs, refs, [refs_preview, upload_status])
        button.click(run, [image, refs, is_hr], outputs)
        if examples:
            gr.Examples(
                examples=[list(e) for e in examples],
                inputs=[image, refs, is_hr],
                outputs=outputs,
                fn=run,
                run_on_click=True,
                cache_examples=False,
                example_labels=[
                    'the stereo pair: LR left view, right view as reference',
                    'a photo with a displaced crop as reference',
                    'high-resolution mode: the stereo left view, scored'
                ][:len(examples)],
                label='Examples (one click: upload and restore)')
    return page


def parse_args() -> argparse.Namespace:
    from c2m_mmagic.apis import matching_choices, parser_from_doc
    parser = parser_from_doc(__doc__)
    parser.add_argument('config', nargs='?', help='model config (default: '
                        'the quick start\'s demo model)')
    parser.add_argument('checkpoint', nargs='?', help='its checkpoint')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--tile', type=int, help='restore in tiles of N LR '
                        'pixels (default: when the output is over the '
                        "model's max_pixels_per_pass)")
    parser.add_argument('--max-ref-pixels', type=int, help='largest '
                        'reference accepted, height x width (default: the '
                        "model's test_cfg)")
    parser.add_argument('--matching', choices=matching_choices(),
                        help='patch matching (default: the model\'s; '
                        'hierarchical for large photos, README)')
    args = parser.parse_args()
    if (args.config is None) != (args.checkpoint is None):
        parser.error('give CONFIG and CKPT together, or neither (the demo '
                     'model)')
    return args


def main() -> None:
    args = parse_args()
    try:
        import gradio  # noqa: F401
    except ImportError:
        sys.exit('error: gradio is not installed: run bash tools/install.sh '
                 '--demo (or pip install -e ".[demo]")')
    config = args.config or DEMO_CONFIG
    checkpoint = args.checkpoint or demo_checkpoint()
    if not osp.isfile(config):
        sys.exit(f'error: config file not found: {config}')
    test_cfg = {k: v for k, v in (('tile', args.tile),
                                  ('max_ref_pixels', args.max_ref_pixels),
                                  ('matching', args.matching))
                if v is not None}
    demo = RefSRDemo(config, checkpoint, args.device, test_cfg=test_cfg)
    if demo.problem:
        print(f'[gradio_refsr] {demo.problem}', file=sys.stderr)
    examples = write_examples(osp.join(demo.out_dir, 'examples'))
    build_page(demo, examples).queue().launch(
        server_name=args.host, server_port=args.port,
        allowed_paths=[demo.out_dir])


if __name__ == '__main__':
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    main()
