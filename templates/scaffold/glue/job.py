"""A Glue ETL job of a cloudwright data lake: reads one table of the source zone's database
(catalogued by the lake's crawler), writes it as Parquet into the target zone, partitioned by
the blueprint's `partition_by` columns, registers the result in the target zone's database,
and commits the job bookmark so that the next run reads only what is new.

Scaffolded once by cloudwright; this file is yours now. The job's arguments come from its
definition (`DefaultArguments`): --source_database, --source_table, --target_path,
--target_database (the target zone's database, where the table is registered); --partition_by is
optional.
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

REQUIRED = ["JOB_NAME", "source_database", "source_table", "target_path"]
OPTIONAL = ["partition_by", "target_database"]


def options(argv):
    """The job's arguments: the required ones, and the optional ones that were given."""
    given = [name for name in OPTIONAL if f"--{name}" in argv]
    return getResolvedOptions(argv, REQUIRED + given)


def partition_keys(args):
    """`--partition_by year,month` → ["year", "month"]; none when not given."""
    return [key.strip() for key in args.get("partition_by", "").split(",") if key.strip()]


def main(argv):
    args = options(argv)
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    # transformation_ctx names this read for the job bookmark: only new data is read.
    source = glue_context.create_dynamic_frame.from_catalog(
        database=args["source_database"],
        table_name=args["source_table"],
        transformation_ctx="source",
    )

    # Nothing new since the last run (or an empty table): commit the bookmark, write nothing.
    if source.toDF().isEmpty():
        job.commit()
        return

    keys = partition_keys(args)
    sink = glue_context.getSink(
        connection_type="s3",
        path=args["target_path"],
        enableUpdateCatalog="target_database" in args,
        updateBehavior="UPDATE_IN_DATABASE",
        partitionKeys=keys,
        transformation_ctx="target",
    )
    sink.setFormat("glueparquet", compression="snappy")
    if "target_database" in args:
        sink.setCatalogInfo(
            catalogDatabase=args["target_database"],
            catalogTableName=args["source_table"],
        )
    sink.writeFrame(source)

    job.commit()


if __name__ == "__main__":
    main(sys.argv)
