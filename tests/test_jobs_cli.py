"""``office-agent run job.toml`` and ``office-agent store …`` from the outside: exit codes, JSON logs, job file
errors, a read-only output folder, export and import."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from jobhelpers import ROOT, cli_command, ledger_numbers, run_cli, write_invoices, write_job_file

from office_agent.errors import ExitCode
from office_agent.jobs.errors import JobFileError
from office_agent.jobs.jobfile import load_job, parse_period


def test_run_prints_a_summary_and_exits_0(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 3)
    proc = run_cli("run", str(write_job_file(tmp_path)), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "3 new" in proc.stderr and "3 invoices" in proc.stderr
    assert len(ledger_numbers(tmp_path / "out")) == 3


def test_json_logs_are_one_object_per_line_and_end_with_the_summary(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_invoices(inbox, 0, 2)
    (inbox / "bad.xml").write_bytes(b"<not-an-invoice/>")
    proc = run_cli("run", str(write_job_file(tmp_path)), "--json-logs", cwd=tmp_path)
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]
    finished = [e for e in events if e.get("event") == "run_finished"]
    assert len(finished) == 1 and finished[0]["counts"]["new"] == 3 and finished[0]["exit_code"] == 1
    assert finished[0]["ledger"]["problem_files"][0]["file"].endswith("bad.xml")
    assert "\x1b[" not in proc.stderr  # no progress bars, no colours under cron


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('inputs = ["inbox"]\noutput = "out"\nworkres = 2\n', "workres: unknown key (did you mean 'workers'?)"),
        ('output = "out"\n', "inputs: required, but missing"),
        ('inputs = ["inbox"]\noutput = "out"\nexecutor = "spark://x"\n', "neither 'local' nor 'dask://HOST:PORT'"),
        ('inputs = ["inbox"]\noutput = "out"\nperiod = "2025-13"\n', "no month 13"),
        ('inputs = ["inbox"]\noutput = "out"\n[period]\nstart = 2025-05-01\nend = 2025-01-01\n', "after it ends"),
        ('inputs = ["inbox"]\noutput = "out"\n[options]\nvanished = "forget"\n', "options.vanished"),
        ('inputs = ["inbox"\n', "not valid TOML"),
        ('inputs = ["inbox"]\noutput = "out"\n[company]\ntax_id = "123"\n', "is not a tax id"),
    ],
)
def test_job_file_errors_are_clear(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "job.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(JobFileError) as info:
        load_job(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_bad_job_file_exits_3(tmp_path: Path) -> None:
    (tmp_path / "job.toml").write_text('inputs = ["inbox"]\noutput = "out"\nworkres = 2\n')
    proc = run_cli("run", "job.toml", cwd=tmp_path)
    assert proc.returncode == ExitCode.BAD_ARGS == 3
    assert "did you mean 'workers'" in proc.stderr
    missing = run_cli("run", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 3 and "no such job file" in missing.stderr


def test_job_paths_are_relative_to_the_job_file_and_periods_have_shorthands(tmp_path: Path) -> None:
    path = tmp_path / "jobs" / "job.toml"
    path.parent.mkdir()
    path.write_text('inputs = ["../inbox"]\noutput = "out"\nperiod = "2025-Q3"\n[company]\nname = "上海乙有限公司"\n')
    job = load_job(path)
    assert job.inputs == [tmp_path / "jobs" / ".." / "inbox"] and job.output == tmp_path / "jobs" / "out"
    assert job.store_url == str(tmp_path / "jobs" / "out" / "office-agent.sqlite")
    assert (job.period.start, job.period.end) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert job.settings().company.name == "上海乙有限公司"
    assert parse_period("2024-02") == {"start": dt.date(2024, 2, 1), "end": dt.date(2024, 2, 29)}


def _as_unprivileged() -> tuple[list[str], Path] | None:
    """A command prefix under which permission bits hold (root writes anywhere), and a folder to work in.

    As root: drop the capabilities that bypass file permissions (setpriv, from util-linux), else run as 'nobody'.
    """
    folder = Path(tempfile.mkdtemp(prefix="oa-ro-"))
    if os.geteuid() != 0:
        return [], folder
    candidates = []
    if shutil.which("setpriv"):
        candidates.append(["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"])
    if shutil.which("runuser"):
        candidates.append(["runuser", "-u", "nobody", "--"])
    folder.chmod(0o777)
    for prefix in candidates:
        probe = subprocess.run([*prefix, *cli_command("version")], capture_output=True, cwd=folder)
        if probe.returncode == 0:
            return prefix, folder
    shutil.rmtree(folder, ignore_errors=True)
    return None


def test_read_only_output_folder_is_a_clear_error_and_the_store_is_untouched() -> None:
    setup = _as_unprivileged()
    if setup is None:
        pytest.skip("running as root, and neither setpriv nor runuser can run the CLI without root's file access")
    prefix, tmp = setup
    try:
        write_invoices(tmp / "inbox", 0, 2)
        out = tmp / "out"
        out.mkdir()
        out.chmod(0o555)  # read-only to everyone but root
        store = tmp / "store" / "s.sqlite"
        store.parent.mkdir()
        store.parent.chmod(0o777)
        (tmp / "inbox").chmod(0o755)
        job = write_job_file(tmp, store=str(store))
        proc = subprocess.run([*prefix, *cli_command("run", str(job))], cwd=tmp, capture_output=True, text=True)
        assert proc.returncode == ExitCode.FAILED, proc.stderr
        assert "output folder" in proc.stderr and "not writable" in proc.stderr
        assert not store.exists()  # nothing was read, nothing stored
        same = write_job_file(tmp)  # the store inside the read-only folder: the same clear error
        proc = subprocess.run([*prefix, *cli_command("run", str(same))], cwd=tmp, capture_output=True, text=True)
        assert proc.returncode == ExitCode.FAILED and "not writable" in proc.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_store_export_and_import_commands(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 3)
    job = write_job_file(tmp_path)
    assert run_cli("run", str(job), cwd=tmp_path).returncode == 0
    exported = tmp_path / "export.jsonl"
    proc = run_cli("store", "export", "--job", str(job), "-o", str(exported), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    kinds = [json.loads(line)["kind"] for line in exported.read_text().splitlines()]
    assert kinds[0] == "store" and kinds.count("invoice") == 3 and kinds.count("file") == 3
    proc = run_cli("store", "import", str(exported), "--store", "copy.sqlite", cwd=tmp_path)
    assert proc.returncode == 0 and "3 invoices" in proc.stderr, proc.stderr
    info = run_cli("store", "info", "--store", "copy.sqlite", cwd=tmp_path)
    assert "'invoices': 3" in info.stderr
    assert run_cli("store", "export", cwd=tmp_path).returncode == ExitCode.BAD_ARGS


def test_the_job_commands_are_in_the_help() -> None:
    proc = subprocess.run(cli_command("--help"), capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "run" in proc.stdout and "watch" in proc.stdout and "store" in proc.stdout


def test_progress_bars_on_a_terminal_and_none_otherwise(tmp_path: Path) -> None:
    import io

    from jobhelpers import make_job

    from office_agent.jobs.progress import NoProgress, RichProgress, progress_for
    from office_agent.jobs.runner import run_job

    write_invoices(tmp_path / "inbox", 0, 3)
    assert isinstance(progress_for(None, io.StringIO()), NoProgress)  # a pipe, a log file, cron
    screen = io.StringIO()
    run_job(make_job(tmp_path), progress=RichProgress(screen))
    assert "hashing" in screen.getvalue() and "reading" in screen.getvalue() and "3/3" in screen.getvalue()


def test_watch_needs_a_folder(tmp_path: Path) -> None:
    proc = run_cli("watch", str(tmp_path / "nope"), cwd=tmp_path)
    assert proc.returncode == ExitCode.BAD_ARGS and "not a folder" in proc.stderr
