"""Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser), against live_server."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
# Test runs keep their pictures under var/; `make screenshots` writes the committed ones in docs/screenshots/.
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "var/screenshots")

# Playwright's sync API keeps an event loop running in this thread; the ORM calls our tests make between
# page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default, half of what an action may (new_page): on a busy 2-core machine a page that
    # renders in a second takes several. One budget for both.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# htmx is deferred: a click that lands after a navigation but before htmx wired the page would take the no-script
# path (a plain form post or link), which works but is not the flow a test means to drive. Playwright clicks as
# soon as the element exists, so on a busy machine that happens; the test harness holds such a click until the
# page has loaded and replays it on what was clicked (not on the htmx element around it: a plain link inside the
# polled call queue, replayed on the queue, was a click on nothing).
HOLD_CLICKS_UNTIL_HTMX = """
document.addEventListener("click", function (event) {
  if (window.htmx && document.readyState === "complete") return;
  var target = event.target;
  if (!(target.closest && target.closest("[hx-get],[hx-post],[hx-put],[hx-patch],[hx-delete]"))) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  window.addEventListener("load", function () { target.click(); }, { once: true });
}, true);
"""


@pytest.fixture
def new_page(browser, live_server):
    """new_page(locale="zh-CN") -> a Page in a fresh context whose base URL is the live server.

    Every page must work offline and within the Content-Security-Policy: requests to other hosts are refused,
    and a test fails if the browser reported a policy violation on any page it visited.
    """
    contexts = []
    violations: list[str] = []

    def make(locale: str = "zh-CN"):
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
        context.add_init_script(HOLD_CLICKS_UNTIL_HTMX)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _note_violation(violations, page, message))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def _note_violation(violations: list[str], page, message) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        violations.append(f"{page.url}: {message.text}")


def login(page, username: str, password: str = "pass") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> None:
    """Keep a picture of a main page (docs/screenshots/ holds the committed ones: what a store owner sees first)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
