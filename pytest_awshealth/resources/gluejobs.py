"""Glue ETL jobs and crawlers: did the last run succeed?"""

from __future__ import annotations

from typing import Any, Optional

from ..probes import equals, field, not_yet, probe
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

RUNNING = ("STARTING", "RUNNING", "STOPPING", "WAITING")


class GlueJob(Resource):
    """A Glue job by name: ``assert glue_job.healthy`` (its latest run SUCCEEDED)."""

    fixture = "glue_job"
    output_words = ("glue job",)
    service = "glue"
    kind = "Glue job"
    hint_prefix = "glue.job"
    not_found_codes = NOT_FOUND_CODES | {"EntityNotFoundException"}
    describe_operations = ("get_job",)
    healthy_when = ("last_run_status",)
    hints = {"missing": Hint(
        "Glue job {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or the checks run in another region",),
        ("aws glue get-jobs --region {region} --query 'Jobs[].Name'",),
        ("re-run the deploy so the job exists",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_job", JobName=self.name)["Job"]

    def _last_run(self) -> dict[str, Any]:
        self.describe()
        runs = self.call("get_job_runs", JobName=self.name, MaxResults=10).get("JobRuns", [])
        return max(runs, key=lambda r: r.get("StartedOn") or 0, default={})

    @property
    @probe(Hint(
        "Glue job {name} in {region}: its latest run did not succeed ({value}: {error})",
        ("the script failed (its CloudWatch logs under /aws-glue/jobs/error show the stack trace)",
         "the job role lacks access to its source or target (S3, the Data Catalog, a KMS key)",
         "the job has never run (NO_RUNS): its trigger or schedule is missing"),
        ("aws glue get-job-runs --job-name {name} --max-results 5 --region {region} "
         "--query 'JobRuns[].[JobRunState,ErrorMessage,StartedOn]'",
         "aws logs tail /aws-glue/jobs/error --since 1h --region {region}"),
        ("fix the cause, then: aws glue start-job-run --job-name {name} --region {region}",)),
        equals("SUCCEEDED"), transitional=not_yet(*RUNNING), reads=("describe", "get_job_runs"))
    def last_run_status(self) -> str:
        """JobRunState of the latest run: SUCCEEDED, FAILED, TIMEOUT, STOPPED, ERROR, a
        running state, or NO_RUNS when the job never ran."""
        return str(self._last_run().get("JobRunState", "NO_RUNS"))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "value": lambda: self.last_run_status,
                "error": lambda: self._last_run().get("ErrorMessage") or "no error message"}


def _crawling(crawler: GlueCrawler, value: Any) -> Optional[str]:
    state = crawler.describe().get("State")
    return str(state) if state in ("RUNNING", "STOPPING") else None


class GlueCrawler(Resource):
    """A Glue crawler by name: ``assert glue_crawler.healthy`` (READY, last crawl succeeded)."""

    fixture = "glue_crawler"
    output_words = ("crawler",)
    service = "glue"
    kind = "Glue crawler"
    hint_prefix = "glue.crawler"
    not_found_codes = NOT_FOUND_CODES | {"EntityNotFoundException"}
    describe_operations = ("get_crawler",)
    healthy_when = ("status", "last_crawl_status")
    hints = {"missing": Hint(
        "Glue crawler {name} does not exist in {region} (account {account})",
        ("the deploy did not create it",),
        ("aws glue get-crawlers --region {region} --query 'Crawlers[].Name'",),
        ("re-run the deploy so the crawler exists",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_crawler", Name=self.name)["Crawler"]

    status = field("State", equals("READY"), transitional=not_yet("RUNNING", "STOPPING"), doc=(
        "State: READY between crawls; RUNNING or STOPPING during one."), hint=Hint(
        "Glue crawler {name} in {region} is not READY",
        ("a crawl is still running (large sources take long)",),
        ("aws glue get-crawler --name {name} --region {region} --query 'Crawler.[State,LastCrawl]'",),
        ("wait for the crawl to end, or: aws glue stop-crawler --name {name} --region {region}",)))
    last_crawl_status = field("LastCrawl.Status", equals("SUCCEEDED"), default="NO_CRAWLS",
                              transitional=_crawling, doc=(
        "Status of the last crawl: SUCCEEDED, FAILED or CANCELLED (NO_CRAWLS when it never ran)."),
        hint=Hint(
        "Glue crawler {name} in {region}: its last crawl did not succeed ({value})",
        ("the crawler role cannot read the source (s3:GetObject, or the KMS key)",
         "the crawler never ran: no schedule and nobody started it"),
        ("aws glue get-crawler --name {name} --region {region} --query 'Crawler.LastCrawl'",
         "aws logs tail /aws-glue/crawlers --log-stream-names {name} --since 1d --region {region}"),
        ("fix the cause in the crawl's log, then: aws glue start-crawler --name {name} --region {region}",)))
    database = field("DatabaseName", doc="The Data Catalog database it writes tables to.")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "value": lambda: self.last_crawl_status}
