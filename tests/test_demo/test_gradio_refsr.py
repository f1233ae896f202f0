"""The web demo (demo/gradio_refsr.py): what the page does gives
tools/inference.py's image and one readable line for bad input; the page itself,
served and driven in headless Chromium, shows that image and keeps serving
after an error."""
import importlib
import os
import os.path as osp
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from PIL import Image

from helpers import REPO, converted_random_release, real_pair, run_tool

sys.path.insert(0, osp.join(REPO, 'demo'))
import gradio_refsr  # noqa: E402

CONFIG = osp.join(REPO, 'configs', 'c2matching_cufed.py')
# CI sets it: a missing browser or package fails instead of skipping
REQUIRED = os.environ.get('C2M_REQUIRE_BROWSER') == '1'


def needed(what: str, found):
    if not found:
        message = f'{what} not available (bash tools/install.sh --demo)'
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return found


def module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return needed(name, None)


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """The stereo pair: the left view as the high-resolution photo and its
    ×4 PIL-bicubic shrink, the right view as the reference, a text file."""
    folder = tmp_path_factory.mktemp('pair')
    gt, ref = real_pair((96, 128))
    paths = {k: str(folder / f'{k}.png') for k in ('photo', 'lr', 'ref')}
    Image.fromarray(gt).save(paths['photo'])
    Image.fromarray(gt).resize((32, 24), Image.BICUBIC).save(paths['lr'])
    Image.fromarray(ref).save(paths['ref'])
    paths['text'] = str(folder / 'notes.txt')
    with open(paths['text'], 'w') as f:
        f.write('not an image\n')
    paths['tiny'] = str(folder / 'tiny.png')
    Image.fromarray(gt[:2, :2]).save(paths['tiny'])
    return paths


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    return converted_random_release(str(tmp_path_factory.mktemp('ckpt')))


@pytest.fixture(scope='module')
def expected(files, checkpoint, tmp_path_factory):
    """What tools/inference.py writes for the pair."""
    out = str(tmp_path_factory.mktemp('cli') / 'sr.png')
    proc = run_tool('tools/inference.py', CONFIG, checkpoint, '--img',
                    files['lr'], '--ref', files['ref'], '--out', out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return np.asarray(Image.open(out))


def test_the_page_action_gives_the_inferencers_image(files, checkpoint,
                                                       expected, tmp_path):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path))
    bicubic, sr, png, status = demo.restore(files['photo'], [files['ref']],
                                            True)
    np.testing.assert_array_equal(sr, expected)
    np.testing.assert_array_equal(np.asarray(Image.open(png)), expected)
    assert bicubic.shape == sr.shape == (96, 128, 3)
    assert status.startswith('Done in') and 'one pass' in status
    from c2m_mmagic.evaluation import y_psnr
    gt = np.asarray(Image.open(files['photo']))
    assert (f'bicubic {y_psnr(bicubic, gt):.2f} dB, C²-Matching '
            f'{y_psnr(sr, gt):.2f} dB') in status


def test_tiling_in_force_is_stated(files, checkpoint, expected, tmp_path):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path),
                                  test_cfg=dict(tile=16))
    _, sr, _, status = demo.restore(files['lr'], [files['ref']], False)
    assert 'restored in tiles of 16 LR pixels (test_cfg.tile)' in status
    assert float(np.abs(sr.astype(int) - expected).max()) <= 1


@pytest.mark.parametrize('case, message', [
    ('text', 'photo notes.txt: not an image this page can read '
     "(UnidentifiedImageError: cannot identify image file 'notes.txt')"),
    ('tiny', 'LR photo tiny.png: image of 2x2 pixels is too small'),
    ('text_ref', 'reference notes.txt: not an image this page can read'),
    ('no_ref', 'upload at least one reference'),
    ('big_ref', 'more than the budget of 1000 '
     '(model.test_cfg.max_ref_pixels)'),
])
def test_bad_input_gets_one_line(files, checkpoint, tmp_path, case, message):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path),
                                  test_cfg=dict(max_ref_pixels=1000))
    photo = {'text': files['text'], 'tiny': files['tiny']}.get(case,
                                                               files['lr'])
    refs = {'text_ref': [files['text']], 'no_ref': []}.get(case,
                                                          [files['ref']])
    result = demo.restore(photo, refs, False)
    assert result[:3] == (None, None, None)
    assert result[3].startswith('**Error:** ') and message in result[3]
    assert '\n' not in result[3] and 'Traceback' not in result[3]
    assert str(tmp_path.parent) not in result[3] and '/tmp' not in result[3]


def test_previews_show_what_went_in_and_name_what_cannot(files, checkpoint,
                                                         tmp_path):
    demo = gradio_refsr.RefSRDemo(CONFIG, checkpoint, out_dir=str(tmp_path))
    preview, line = demo.preview_photo(files['photo'])
    assert preview == files['photo'] and '128x96 pixels' in line
    gallery, line = demo.preview_refs([files['ref'], files['text']])
    assert [path for path, _ in gallery] == [files['ref']]
    assert line.startswith('**Error:** reference notes.txt: not an image')
    assert '/tmp' not in line and '\n' not in line
    assert demo.preview_photo(files['text'])[0] is None


def test_the_examples_are_real_pairs(tmp_path):
    rows = gradio_refsr.write_examples(str(tmp_path))
    assert [row[2] for row in rows] == [False, False, True]
    for photo, refs, is_hr in rows:
        size = Image.open(photo).size
        ref_size = Image.open(refs[0]).size
        assert ref_size == ((size[0] * 4, size[1] * 4) if not is_hr
                            else size)


def test_a_missing_checkpoint_is_said_on_the_page(tmp_path, files):
    missing = str(tmp_path / 'nothing.pth')
    demo = gradio_refsr.RefSRDemo(CONFIG, missing)
    assert demo.inferencer is None
    status = demo.restore(files['lr'], [files['ref']], False)[3]
    assert 'no checkpoint at nothing.pth' in status  # no server path
    assert f'no checkpoint at {missing}' in demo.problem  # the operator's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def server(checkpoint, tmp_path_factory):
    """demo/gradio_refsr.py serving the checkpoint on a free local port."""
    module('gradio')
    port = free_port()
    log = tmp_path_factory.mktemp('server') / 'server.log'
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED='False')
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [sys.executable, osp.join(REPO, 'demo', 'gradio_refsr.py'),
             CONFIG, checkpoint, '--port', str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    url = f'http://127.0.0.1:{port}/'
    deadline = time.time() + 240
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f'the demo did not serve {url}:\n'
                            f'{log.read_text()[-3000:]}')
            time.sleep(1)
    yield url
    proc.terminate()
    proc.wait(30)


def chromium_binary():
    return os.environ.get('C2M_CHROMIUM') or shutil.which(
        'chromium') or shutil.which('chromium-browser')


def uploaded(page, elem: str, paths) -> None:
    """Waits until the file component ``elem`` holds every file of
    ``paths``: the upload is done when the component's value has the file's
    server URL, which Gradio shows as a download link named after the
    file (before, the row says "uploading"). Not the row's text: Gradio
    renders a name's stem and extension in separate elements."""
    sync_api = module('playwright.sync_api')
    for path in paths:
        name = osp.basename(path)
        link = page.locator(f'#{elem} a[download="{name}"]')
        sync_api.expect(link).to_have_count(1, timeout=60000)
        sync_api.expect(link).to_have_attribute(
            'href', re.compile(re.escape('/' + name) + '$'))


def fetch(page, server, src, path):
    """The image an <img> of the page shows, as served, uint8 RGB."""
    body = page.request.get(src if '://' in src else server +
                            src.lstrip('/')).body()
    path.write_bytes(body)
    return np.asarray(Image.open(path).convert('RGB'))


@pytest.fixture(scope='module')
def example_expected(checkpoint, tmp_path_factory):
    """What tools/inference.py writes for the page's first example."""
    folder = tmp_path_factory.mktemp('examples')
    photo, refs, _ = gradio_refsr.write_examples(str(folder))[0]
    out = str(folder / 'sr.png')
    proc = run_tool('tools/inference.py', CONFIG, checkpoint, '--img', photo,
                    '--ref', *refs, '--out', out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return np.asarray(Image.open(out))


def test_the_page_in_a_browser(server, files, expected, example_expected,
                               tmp_path):
    """A bad upload gets one line with the uploaded name and no server
    path; the pair uploaded shows its previews; restored, the slider and the
    side-by-side images are the inferencer's, pixel for pixel; an example
    runs in one click."""
    sync_api = module('playwright.sync_api')
    expect = sync_api.expect
    browser_path = needed('chromium (apt-get install chromium)',
                          chromium_binary())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path,
            args=['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'])
        page = browser.new_page(viewport=dict(width=1400, height=1000))
        status = page.locator('#status')

        def upload(elem, paths):
            page.locator(f'#{elem} input[type=file]').set_input_files(paths)
            uploaded(page, elem, paths)

        # what is not an image: one line on upload and on restore
        page.goto(server, wait_until='domcontentloaded')
        upload('photo', [files['text']])
        expect(page.locator('#upload_status')).to_contain_text(
            'photo notes.txt: not an image this page can read',
            timeout=60000)
        upload('refs', [files['ref']])
        page.locator('#restore').click()
        expect(status).to_contain_text(
            'photo notes.txt: not an image this page can read',
            timeout=60000)
        for line in (status, page.locator('#upload_status')):
            assert '/tmp' not in line.inner_text()

        # the pair: previews, then the result
        page.goto(server, wait_until='domcontentloaded')
        upload('photo', [files['photo']])
        upload('refs', [files['ref']])
        expect(page.locator('#photo_preview img')).to_have_count(
            1, timeout=60000)
        expect(page.locator('#refs_preview img').first).to_be_visible(
            timeout=60000)
        page.locator('#is_hr input[type=checkbox]').set_checked(True)
        page.locator('#restore').click()
        expect(status).to_contain_text('Done in', timeout=180000)
        expect(status).to_contain_text('Y-PSNR against your photo')
        expect(page.locator('#compare img')).to_have_count(2, timeout=60000)
        shown = {name: fetch(page, server, page.locator(
            f'#{name} img').get_attribute('src'), tmp_path / f'{name}.png')
                 for name in ('sr', 'bicubic')}
        slider = [fetch(page, server, img.get_attribute('src'),
                        tmp_path / f'slider{i}.png') for i, img in enumerate(
                            page.locator('#compare img').all())]

        # an example in one click, on a fresh page
        page.goto(server, wait_until='domcontentloaded')
        page.get_by_text('the stereo pair: LR left view').click()
        expect(status).to_contain_text('Done in', timeout=180000)
        expect(page.locator('#compare img')).to_have_count(2, timeout=60000)
        example = [fetch(page, server, img.get_attribute('src'),
                         tmp_path / f'example{i}.png') for i, img in
                   enumerate(page.locator('#compare img').all())]
        shot = os.environ.get('C2M_DEMO_SCREENSHOT')
        if shot:
            page.screenshot(path=shot, full_page=True)
        browser.close()
    np.testing.assert_array_equal(shown['sr'], expected)
    np.testing.assert_array_equal(slider[1], expected)
    np.testing.assert_array_equal(slider[0], shown['bicubic'])
    gt = np.asarray(Image.open(files['photo']))
    bicubic_error = np.abs(shown['bicubic'].astype(int) - gt).mean()
    assert shown['bicubic'].shape == gt.shape and 0 < bicubic_error < 20
    np.testing.assert_array_equal(example[1], example_expected)
