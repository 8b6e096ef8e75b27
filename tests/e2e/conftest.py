"""Real-browser journeys: Playwright drives Debian's Chromium against Django's live server."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in these tests are
# plain synchronous calls from that same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct-horse-battery"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Site:
    url: str
    municipality: object
    users: dict


@pytest.fixture
def site(live_server, transactional_db):
    from django.contrib.auth.models import User

    from assessments.models import Municipality, Role
    from perspectives.services import content_load, vng_editor_group_ensure
    from waardevol.accounts import services as accounts_services

    content_load()
    municipality = Municipality.objects.create(name="Utrecht", cbs_code="GM0344")
    users = {}
    for name, role, manager in [("alice", Role.EDITOR, True), ("dave", Role.EDITOR, False),
                                ("bob", Role.READER, False)]:
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD,
                                        first_name=name.title())
        accounts_services.membership_create(user=user, municipality=municipality, role=role,
                                   is_manager=manager)
        users[name] = user
    vng = User.objects.create_user("vng", "vng@example.org", PASSWORD, is_staff=True)
    vng.groups.add(vng_editor_group_ensure())
    users["vng"] = vng
    return Site(live_server.url, municipality, users)


class PageAudit:
    """Runs axe-core on pages and keeps their HTML source for the Nu Html Checker."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.sources: dict[str, str] = {}
        self.violations: list[str] = []
        self.companion = None

    def without_javascript(self, browser):
        """axe needs JavaScript: pages of a JavaScript-free journey are audited in a companion
        page that shows the very same DOM."""
        self.companion = browser.new_context().new_page()

    def check(self, page, name: str):
        """Audit the page as the journey sees it, then the same address in the other language."""
        target = page
        if self.companion is not None:
            self.companion.goto(page.url.split("#")[0])
            self.companion.set_content(page.content())
            target = self.companion
        self._audit(target, page.context, page.url, name)
        ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"), full_page=True)
        other = "nl" if target.evaluate("document.documentElement.lang") == "en" else "en"
        # The other language at phone width (390 px): no page may scroll sideways there.
        translated = self._translated_page(page, other)
        translated.goto(page.url)
        assert translated.evaluate("document.documentElement.lang") == other
        self._audit(translated, translated.context, page.url, f"{name}-{other}")
        wide = horizontal_overflow(translated)
        if wide:
            self.violations.append(f"{name}-{other} ({page.url}) scrolls sideways at 390 px: {wide}")
        unseen = hidden_focusables(translated)
        if unseen:
            self.violations.append(f"{name}-{other} ({page.url}) at 390 px, focusable but not "
                                   f"visible (WCAG 2.4.7): {unseen}")
        translated.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}-{other}-390.png"),
                              full_page=True)
        translated.context.close()

    def check_admin(self, page, name: str):
        """An admin page (Django's own markup and layout, desktop only): axe's serious and
        critical violations, the Nu Html Checker (at assert_clean), and a screenshot."""
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        serious = [v for v in results.response["violations"]
                   if v.get("impact") in ("serious", "critical")]
        if serious:
            self.violations.append(f"{name} ({page.url}):\n" + "\n".join(
                f"{v['id']} ({v['impact']}): {v['help']} – "
                + "; ".join(n["target"][0] for n in v["nodes"][:5]) for v in serious))
        response = page.context.request.get(page.url)
        if "text/html" in response.headers.get("content-type", ""):
            self.sources[name] = response.text()
        wide = horizontal_overflow(page)
        if wide:
            self.violations.append(f"{name} ({page.url}) scrolls sideways: {wide}")
        broken = page.evaluate("""() => [...document.querySelectorAll(
                "#result_list tbody td, #result_list tbody th")].filter(cell => {
            // A list cell of one short word ("gepubliceerd") on two lines: the table squeezed it.
            const text = cell.innerText.trim();
            if (!text || /\\s/.test(text) || text.length > 20) return false;
            const range = document.createRange();
            range.selectNodeContents(cell);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
        }).map(cell => cell.innerText.trim()).slice(0, 5)""")
        if broken:
            self.violations.append(f"{name} ({page.url}) breaks short words in the list: {broken}")
        ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"), full_page=True)

    def _translated_page(self, page, language):
        """A page in a new context with the journey's cookies (same session), other language."""
        from urllib.parse import urlsplit

        context = page.context.browser.new_context(storage_state=page.context.storage_state(),
                                                   viewport=PHONE)
        host = urlsplit(page.url).hostname
        context.add_cookies([{"name": "django_language", "value": language, "domain": host,
                              "path": "/"}])
        return context.new_page()

    def _audit(self, target, context, url, name):
        results = self.axe.run(target, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        if results.violations_count:
            self.violations.append(f"{name} ({url}):\n{results.generate_report()}")
        response = context.request.get(url)
        if "text/html" in response.headers.get("content-type", ""):
            self.sources[name] = response.text()

    def assert_clean(self):
        assert not self.violations, "\n\n".join(self.violations)
        errors = validate_html(self.sources)
        assert not errors, "\n".join(errors)


PHONE = {"width": 390, "height": 844}


def horizontal_overflow(page) -> str:
    """'' when the page fits its viewport; otherwise the widths and the widest offenders."""
    return page.evaluate("""() => {
        const root = document.documentElement;
        if (root.scrollWidth <= window.innerWidth) return "";
        const wide = [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
        return `scrollWidth ${root.scrollWidth} > ${window.innerWidth}: ${wide.join(", ")}`;
    }""")


def hidden_focusables(page) -> str:
    """'' when every element that Tab reaches can be seen; otherwise the first few that cannot
    (shrunk to a pixel or clipped away, as a visually hidden table head is). The skip link is
    visible once focused."""
    return page.evaluate("""() => {
        const focusable = 'a[href], button, input:not([type=hidden]), select, textarea, '
            + '[tabindex]:not([tabindex="-1"]), summary';
        const unseen = [...document.querySelectorAll(focusable)].filter(e => {
            if (e.disabled || e.closest(".utrecht-skip-link") || !e.getClientRects().length)
                return false;  // not rendered (display: none, a closed <details>): not reachable
            const box = e.getBoundingClientRect();
            let clipped = false;
            for (let a = e; a && !clipped; a = a.parentElement) {
                const style = getComputedStyle(a);
                clipped = style.clip === "rect(0px, 0px, 0px, 0px)" || style.clipPath === "inset(50%)";
            }
            return clipped || box.width <= 1 || box.height <= 1;
        });
        return unseen.slice(0, 5).map(e => e.tagName.toLowerCase() + " " +
            (e.textContent || e.name || "").trim().slice(0, 40)).join("; ");
    }""")


def validate_html(sources: dict[str, str]) -> list[str]:
    """Nu Html Checker (vnu-jar from npm, on the machine's Java): the errors, if any."""
    import json

    if not sources:
        return []
    directory = ARTIFACTS / "html"
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, html in sources.items():
        path = directory / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    jar = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    result = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always",
                             *paths], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
            for m in messages if m.get("type") == "error"]


@pytest.fixture
def audit():
    return PageAudit()
