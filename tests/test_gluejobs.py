"""Glue jobs and crawlers through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    @pytest.mark.aws_output(glue_job="job")
    def test_job(glue_job):
        assert glue_job.healthy

    @pytest.mark.aws_output(glue_crawler="crawler")
    def test_crawler(glue_crawler):
        assert glue_crawler.healthy
"""


def make_glue(emu: Any, run: bool = True) -> None:
    glue = emu.client("glue")
    glue.create_job(Name="etl", Role="arn:aws:iam::123456789012:role/glue",
                    Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/etl.py"})
    glue.create_crawler(Name="raw", Role="arn:aws:iam::123456789012:role/glue",
                        DatabaseName="raw", Targets={"S3Targets": [{"Path": "s3://raw/"}]})
    if run:
        glue.start_job_run(JobName="etl")
        glue.start_crawler(Name="raw")
        set_last_crawl(emu, "raw", "SUCCEEDED")


def set_last_crawl(emu: Any, name: str, status: str) -> None:
    """moto ends a crawl COMPLETED, which GetCrawler does not have; AWS's LastCrawl.Status
    is SUCCEEDED, FAILED or CANCELLED. Swap the crawler's class for one that says so."""
    crawler = emu.backend("glue").get_crawler(name)
    base = type(crawler)

    def as_dict(self: Any) -> dict[str, Any]:
        data = base.as_dict(self)
        data.setdefault("LastCrawl", {})["Status"] = status
        data["State"] = "READY"
        return data

    crawler.__class__ = type(base.__name__, (base,), {"as_dict": as_dict})


def run(pytester: pytest.Pytester, write_outputs: Any) -> pytest.RunResult:
    write_outputs({"job": "etl", "crawler": "raw"})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_succeeded_runs_pass(pytester, write_outputs, aws_env) -> None:
    make_glue(aws_env)
    run(pytester, write_outputs).assert_outcomes(passed=2)


def test_never_run(pytester, write_outputs, aws_env) -> None:
    make_glue(aws_env, run=False)
    result = run(pytester, write_outputs)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        "Glue job etl in us-east-1: its latest run did not succeed (NO_RUNS: no error message)",
        "Glue crawler raw in us-east-1: its last crawl did not succeed (NO_CRAWLS)",
        "*aws glue start-crawler --name raw --region us-east-1"])


def test_failed_job_run(pytester, write_outputs, aws_env) -> None:
    make_glue(aws_env)
    job_run = aws_env.backend("glue").get_job("etl").get_job_runs()[0]
    base = type(job_run)  # moto's runs always succeed and carry no ErrorMessage
    job_run.__class__ = type(base.__name__, (base,), {"as_dict": lambda self: {
        **base.as_dict(self), "JobRunState": "FAILED", "ErrorMessage": "AccessDenied on s3://raw/"}})
    result = run(pytester, write_outputs)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["Glue job etl in us-east-1: its latest run did not succeed "
                                 "(FAILED: AccessDenied on s3://raw/)"])
