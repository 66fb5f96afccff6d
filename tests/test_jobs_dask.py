"""Scale-out: the same job on a Dask LocalCluster of 2 worker processes; the results flow back into the same store
and the ledger equals the one a local run makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jobhelpers import make_job, write_invoices

from office_agent.jobs.runner import run_job
from office_agent.jobs.store import Store


@pytest.mark.slow
def test_a_dask_cluster_reads_into_the_same_store(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    inbox = tmp_path / "inbox"
    made = write_invoices(inbox, 0, 120)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0",
    ) as cluster:  # fmt: skip
        address = cluster.scheduler_address.removeprefix("tcp://")
        job = make_job(tmp_path, executor=f"dask://{address}")
        report = run_job(job)
        assert report.executor.startswith("dask:") and "2 worker threads" in report.executor
        assert report.counts["new"] == 120 and report.exit_code() == 0
        write_invoices(inbox, 1000, 10)  # the next run on the cluster reads only the new ones
        again = run_job(job)
        assert again.counts["new"] == 10 and again.counts["unchanged"] == 120
        with distributed.Client(cluster.scheduler_address) as client:
            per_worker = client.run(lambda: __import__("os").getpid())
        assert len(set(per_worker.values())) == 2  # two worker processes did the reading
    local = make_job(tmp_path / "local", inputs=[str(inbox)], output=str(tmp_path / "local-out"))
    run_job(local)

    def records(out: Path) -> list[str]:
        rows = [json.loads(x) for x in (out / "ledger.jsonl").read_text().splitlines()]
        return sorted(json.dumps({k: v for k, v in r.items() if k != "provenance"}, sort_keys=True) for r in rows)

    assert records(job.output) == records(local.output)
    with Store.open(job.store_url) as store:
        assert store.stats()["invoices"] == len(made) + 10
