"""Take the admin screenshots of the user guide (docs/assets/admin/*.png).

Run it from the repository root, with the test extra installed (it brings Playwright) and
Debian's Chromium (``apt-get install chromium``; never ``playwright install``, which
downloads a browser of its own)::

    .venv/bin/python scripts/admin_screenshots.py            # into docs/assets/admin/
    .venv/bin/python scripts/admin_screenshots.py --out /tmp/shots

It copies example_project/ to a temporary folder (so it starts from an empty SQLite
database and leaves yours alone), runs ``migrate``, ``ensure_admin`` and ``demo_workflow``,
submits a few more jobs (a workflow with a step that fails, a job that times out, one
scheduled for tomorrow), runs ``gigq_worker --burst`` until they are done, then starts a
worker with a long job for the live pages, serves the admin with ``runserver`` on a free
port, and photographs each page in headless Chromium, 1200 px wide. With pngquant and
optipng installed (``apt-get install pngquant optipng``) the files are made smaller.
Look at each picture before committing it: the pages show today's data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_project"
OUT = ROOT / "docs" / "assets" / "admin"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The admin laid out for a 1440 px window, drawn 1200 px wide: the job list's columns
# and its filters fit side by side.
WIDTH = 1440
HEIGHT = 900
SCALE = 1200 / 1440
JOBS = "/admin/django_gigq/job/"

# Jobs beyond the demo workflow, so that every status and page has something to show.
SEED = """
from datetime import timedelta
from django.utils import timezone
from django_gigq import Job, JobQueue, Workflow
from demo.jobs import extract, load, slow_square, transform

queue = JobQueue()
flow = Workflow("ETL nightly")
eu = flow.add_job(Job("extract eu-shop", extract, params={"source": "eu-shop"}))
feed = flow.add_job(
    Job(
        "extract partner-feed",
        extract,
        params={"source": "partner-feed", "rows": "all"},
        max_attempts=2,
        description="Orders from the partner's nightly feed.",
    )
)
jp = flow.add_job(Job("extract jp-shop", extract, params={"source": "jp-shop"}))
step = flow.add_job(Job("transform", transform), depends_on=[eu, feed, jp])
flow.add_job(Job("load", load), depends_on=[step])
flow.submit_all(queue)
for n in range(1, 6):
    queue.submit(Job(f"square {n}", slow_square, params={"n": n, "seconds": 0.2}, queue="reports"))
queue.submit(
    Job(
        "square 7 (too slow)",
        slow_square,
        params={"n": 7, "seconds": 5},
        timeout=1,
        max_attempts=1,
        queue="reports",
    )
)
queue.submit(
    Job(
        "square 12 (tomorrow)",
        slow_square,
        params={"n": 12},
        run_after=timezone.now() + timedelta(days=1),
        queue="reports",
    )
)
"""

LONG_JOB = """
from django_gigq import Job, JobQueue
from demo.jobs import slow_square
JobQueue().submit(
    Job("square 9 (long)", slow_square, params={"n": 9, "seconds": 600}, timeout=900)
)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs ({OUT})")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="gigq-shots-") as tmp:
        project = Path(tmp) / "example_project"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("db.sqlite3*", "*.pyc"))
        # This checkout's django_gigq beside it: what the pages show (tracebacks) stays
        # inside the temporary folder.
        shutil.copytree(
            ROOT / "django_gigq",
            Path(tmp) / "django_gigq",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        env = project_env(Path(tmp))
        prepare(project, env)
        processes: list[subprocess.Popen] = []
        try:
            processes.append(start(project, env, "gigq_worker", "--concurrency", "2", "-v", "0"))
            wait_for(lambda: running_jobs(project, env), "the long job to start")
            port = free_port()
            processes.append(start(project, env, "runserver", f"127.0.0.1:{port}", "--noreload"))
            url = f"http://127.0.0.1:{port}"
            wait_for(lambda: answers(f"{url}/admin/login/"), "runserver to answer")
            args.out.mkdir(parents=True, exist_ok=True)
            shoot(url, args.out, Path(tmp) / "chromium-profile")
        finally:
            for process in reversed(processes):
                stop(process)
    shrink(sorted(args.out.glob("*.png")))
    for path in sorted(args.out.glob("*.png")):
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{path.stat().st_size // 1024} KiB"
        )
    return 0


def project_env(folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    # The copy of this checkout's django_gigq, whatever is installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    env["DJANGO_DEBUG"] = "1"
    return env


def manage(project: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare(project: Path, env: dict[str, str]) -> None:
    manage(project, env, "migrate", "-v", "0")
    manage(project, env, "ensure_admin")
    manage(project, env, "demo_workflow")
    manage(project, env, "shell", "-c", SEED)
    manage(project, env, "gigq_worker", "--burst", "--concurrency", "2", "-v", "0")
    manage(project, env, "shell", "-c", LONG_JOB)


def start(project: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    # A session of its own, so stop() can end the process with the children it spawned.
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        # The worker gives running jobs a grace period; the long job needs none here.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def running_jobs(project: Path, env: dict[str, str]) -> bool:
    return bool(json.loads(manage(project, env, "gigq", "list", "--status", "running", "--json")))


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {what} after {seconds:.0f} s")
        time.sleep(0.3)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shoot(url: str, out: Path, profile: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=url,
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=SCALE,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20_000)
            log_in(page)
            take_all(page, out)
        finally:
            context.close()


def log_in(page) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    # Collapse the admin's navigation sidebar (remembered for the session): wider tables.
    page.goto(JOBS)
    if page.locator("#nav-sidebar").is_visible():
        page.click("#toggle-nav-sidebar")


def open_job(page, name: str) -> None:
    page.goto(JOBS)
    page.locator("#result_list a", has_text=name).first.click()
    page.wait_for_selector(".field-name")


def take_all(page, out: Path) -> None:
    page.goto(JOBS)
    page.screenshot(path=str(out / "job-list.png"))

    page.goto(f"{JOBS}?status__exact=failed")
    page.locator("#changelist-filter").screenshot(path=str(out / "job-list-filters.png"))

    # A job that failed twice: its page with the requeue button, and its runs with the
    # latest traceback unfolded.
    open_job(page, "extract partner-feed")
    shoot_between(page, out / "job-page.png", "#header", ".field-worker_link")
    page.locator(".field-error_and_traceback summary").last.click()
    page.locator(".inline-group").screenshot(path=str(out / "job-executions.png"))

    # A finished step of a workflow: what it was given and what it returned.
    page.goto(JOBS)
    page.locator("#result_list tr", has_text="ETL demo").locator("a", has_text="transform").click()
    page.wait_for_selector(".field-name")
    shoot_between(
        page,
        out / "job-result.png",
        "fieldset:has(h2:text-is('Params'))",
        "fieldset:has(h2:text-is('Outcome'))",
        width=720,
    )

    page.goto("/admin/django_gigq/workflow/")
    page.locator("#result_list a", has_text="ETL nightly").click()
    page.wait_for_selector("svg.gigq-graph")
    page.screenshot(path=str(out / "workflow.png"), full_page=True)

    page.goto(f"{JOBS}dashboard/")
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)

    page.goto("/admin/django_gigq/workerprocess/")
    shoot_between(page, out / "workers.png", "#header", "#changelist-filter")

    # Last, as it changes the data: requeue the failed step of the workflow from the list
    # of its jobs; the steps its failure cancelled are pending again.
    page.goto("/admin/django_gigq/workflow/")
    page.locator("#result_list a", has_text="ETL nightly").click()
    page.click("text=Show this workflow's jobs in the job list")
    page.wait_for_selector("#result_list")
    failed = page.locator(".gigq-badge", has_text="Failed")
    page.locator("#result_list tbody tr", has=failed).locator("input.action-select").check()
    page.select_option("select[name=action]", "requeue_selected")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    shoot_between(page, out / "job-list-requeued.png", "#header", "#result_list")


def shoot_between(
    page, path: Path, first: str, last: str, margin: int = 12, width: int = WIDTH
) -> None:
    """Save the band of the page from ``first``'s top to ``last``'s bottom, ``width`` wide."""
    top = page.locator(first).first.bounding_box()
    bottom = page.locator(last).first.bounding_box()
    scroll = page.evaluate("window.scrollY")
    y = max(top["y"] + scroll - margin, 0)
    height = bottom["y"] + scroll + bottom["height"] + margin - y
    clip = {"x": 0, "y": y, "width": width, "height": height}
    page.screenshot(path=str(path), full_page=True, clip=clip)


def shrink(paths: list[Path]) -> None:
    """Quantise to 256 colours (pngquant) and recompress (optipng), where they are installed."""
    if shutil.which("pngquant"):
        for path in paths:
            subprocess.run(
                [
                    "pngquant",
                    "--force",
                    "--skip-if-larger",
                    "--strip",
                    "--speed",
                    "1",
                    "--output",
                    str(path),
                    str(path),
                ],
                check=False,
            )
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o2", *map(str, paths)], check=False)


if __name__ == "__main__":
    sys.exit(main())
