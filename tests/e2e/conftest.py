"""Browser tests: Playwright driving Debian's Chromium against a live server, with axe-core on every page."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium")
# Chromium's own background requests are refused by this network; these flags keep it quiet and quick.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="needs Chromium (apt-get install chromium); .ci/run installs it")
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class A11yPage:
    """A page that runs axe-core after every navigation it is asked to check, failing on serious problems."""

    def __init__(self, page):
        self.page = page
        self.checked = []

    def check(self):
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        self.checked.append(self.page.url)
        assert not blocking, f"axe on {self.page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in blocking
        )


@pytest.fixture
def browse(browser, live_server, jobs_run_here):
    """Open a fresh browser context (no cookies) on the live server; call .check() on every page visited. The
    server's background jobs (emails) run in this process, so a test reads what they sent."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        wrapped = A11yPage(page)
        wrapped.console_errors = errors
        return wrapped

    yield open_page
    for context in contexts:
        context.close()
