"""Checks the Glue job script cloudwright scaffolds (templates/scaffold/glue/job.py), as the
lake's jobs run it, without Glue: `awsglue` and `pyspark` exist only inside Glue, so this
replaces them with recorders and runs the script's `main` with the arguments a rendered job
passes (read from the rendered Terraform of every catalog lake), then checks what it did:

- it reads the source table from the catalog with a transformation context (the bookmark);
- it writes Snappy Parquet (`glueparquet`) to the target path, partitioned by `--partition_by`,
  and registers the table in the target database;
- it commits the job (the bookmark moves) after writing, and never before;
- without --partition_by and --target_database it writes unpartitioned and registers nothing;
- with nothing new to read, it commits the bookmark and writes nothing.

Usage: tests/glue_job_check.py <rendered output directory>...  (each holding glue/<lake>/<job>.py
and the Terraform .tf files that define the job).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from pathlib import Path

calls: list[tuple] = []
# Whether the source frame the fake catalog hands out is empty (nothing new for the bookmark).
EMPTY = [False]


class Recorder:
    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        return Recorder(f"{self.name}.{attr}")

    def __call__(self, *args, **kwargs):
        calls.append((self.name, args, kwargs))
        return Recorder(f"{self.name}()")


def install_fakes() -> None:
    class Frame:
        def toDF(self):
            return types.SimpleNamespace(isEmpty=lambda: EMPTY[0])

    class Reader:
        def from_catalog(self, **kwargs):
            calls.append(("create_dynamic_frame.from_catalog", (), kwargs))
            return Frame()

    class GlueContext:
        def __init__(self, spark):
            calls.append(("GlueContext", (), {}))
            self.create_dynamic_frame = Reader()

        def getSink(self, **kwargs):
            calls.append(("getSink", (), kwargs))
            return Recorder("sink")

    class Job:
        def __init__(self, context):
            pass

        def init(self, name, args):
            calls.append(("job.init", (name,), {}))

        def commit(self):
            calls.append(("job.commit", (), {}))

    def get_resolved_options(argv, names):
        values = {}
        for name in names:
            flag = f"--{name}"
            if flag not in argv:
                raise SystemExit(f"getResolvedOptions: {flag} is missing")
            values[name] = argv[argv.index(flag) + 1]
        return values

    modules = {
        "awsglue": types.ModuleType("awsglue"),
        "awsglue.context": types.ModuleType("awsglue.context"),
        "awsglue.job": types.ModuleType("awsglue.job"),
        "awsglue.utils": types.ModuleType("awsglue.utils"),
        "pyspark": types.ModuleType("pyspark"),
        "pyspark.context": types.ModuleType("pyspark.context"),
    }
    modules["awsglue.context"].GlueContext = GlueContext
    modules["awsglue.job"].Job = Job
    modules["awsglue.utils"].getResolvedOptions = get_resolved_options
    modules["pyspark.context"].SparkContext = types.SimpleNamespace(getOrCreate=lambda: "spark")
    sys.modules.update(modules)


def job_arguments(directory: Path) -> dict[str, list[str]]:
    """script file → the argv Glue passes, from each aws_glue_job's default_arguments."""
    jobs = {}
    for tf in directory.glob("*.tf"):
        text = tf.read_text()
        for block in re.findall(r'resource "aws_glue_job" "[^"]+" \{(.*?)\n\}', text, re.S):
            location = re.search(r'script_location = "s3://[^/]+/jobs/([^"]+)"', block).group(1)
            argv = ["script.py", "--JOB_NAME", "job"]
            for name, value in re.findall(r'^\s+"(--[^"]+)"\s+= (.+)$', block, re.M):
                argv += [name, value.strip('"')]
            jobs[location] = argv
    return jobs


def check(script: Path, argv: list[str]) -> list[str]:
    spec = importlib.util.spec_from_file_location("job", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls.clear()
    module.main(argv)
    problems = []
    arg = dict(zip(argv[1::2], argv[2::2]))
    names = [c[0] for c in calls]
    read = next((c for c in calls if c[0] == "create_dynamic_frame.from_catalog"), None)
    if not read:
        problems.append("does not read the catalog")
    else:
        kw = read[2]
        if kw.get("database") != arg["--source_database"] or kw.get("table_name") != arg["--source_table"]:
            problems.append(f"reads {kw.get('database')}.{kw.get('table_name')}, not the source table")
        if not kw.get("transformation_ctx"):
            problems.append("reads without a transformation context: the bookmark cannot track it")
    sink = next((c[2] for c in calls if c[0] == "getSink"), None)
    if sink is None:
        problems.append("writes nothing")
    else:
        if sink.get("path") != arg["--target_path"]:
            problems.append(f"writes to {sink.get('path')}, not {arg['--target_path']}")
        want_keys = [k for k in arg.get("--partition_by", "").split(",") if k]
        if sink.get("partitionKeys") != want_keys:
            problems.append(f"partitions by {sink.get('partitionKeys')}, not {want_keys}")
        if sink.get("enableUpdateCatalog") != ("--target_database" in arg):
            problems.append("updates the catalog when it has no target database, or not when it has")
    fmt = next((c for c in calls if c[0] == "sink.setFormat"), None)
    if not fmt or fmt[1][:1] != ("glueparquet",):
        problems.append("does not write Parquet")
    info = next((c[2] for c in calls if c[0] == "sink.setCatalogInfo"), None)
    if "--target_database" in arg and (not info or info.get("catalogDatabase") != arg["--target_database"]):
        problems.append("does not register the table in the target database")
    if "job.commit" not in names:
        problems.append("never commits the job: the bookmark never moves")
    elif "sink.writeFrame" not in names or names.index("job.commit") < names.index("sink.writeFrame"):
        problems.append("commits before it writes")
    return problems


def check_empty(script: Path, argv: list[str]) -> list[str]:
    spec = importlib.util.spec_from_file_location("job", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls.clear()
    EMPTY[0] = True
    try:
        module.main(argv)
    finally:
        EMPTY[0] = False
    names = [c[0] for c in calls]
    problems = []
    if "getSink" in names or "sink.writeFrame" in names:
        problems.append("writes although the source is empty")
    if "job.commit" not in names:
        problems.append("does not commit the bookmark")
    return problems


def main() -> int:
    install_fakes()
    checked = failed = 0
    for directory in map(Path, sys.argv[1:]):
        for location, argv in sorted(job_arguments(directory).items()):
            lake_scripts = list(directory.glob(f"glue/*/{location}"))
            if len(lake_scripts) != 1:
                print(f"FAILED {directory}: no single script for jobs/{location}")
                failed += 1
                continue
            script = lake_scripts[0]
            variants = [argv]
            bare = list(argv)
            for optional in ("--partition_by", "--target_database"):
                if optional in bare:
                    i = bare.index(optional)
                    del bare[i : i + 2]
            variants.append(bare)
            for run in variants:
                problems = check(script, run)
                checked += 1
                if problems:
                    failed += 1
                    print(f"FAILED {script} ({' '.join(run[1:])}): {'; '.join(problems)}")
            problems = check_empty(script, argv)
            checked += 1
            if problems:
                failed += 1
                print(f"FAILED {script} with nothing new to read: {'; '.join(problems)}")
    print(f"{checked} job runs checked, {failed} failed")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
