use crate::components::data_lake::Plan as LakePlan;
use crate::components::data_lake::view::{CRAWLER_LOGS, bucket_arn, catalog_arns, log_prefix};
use crate::diagnostics::Severity::Error;
use crate::expr::{Expr, Part};
use crate::plan::{Plan, Planned};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the Glue role of every lake against what the README documents for it, and
    /// flags any grant beyond it: an error in every environment. The role may read the zones
    /// its crawler and jobs read (`s3:GetObject`, `ListBucket`), write only the zones its jobs
    /// write and the temporary zone (`PutObject`, `DeleteObject`), keep the lake's own
    /// databases and their tables (reading and creating or updating tables and partitions, on
    /// the catalog and those databases by name: no delete), use the lake's own key
    /// (`Encrypt`, `Decrypt`, `GenerateDataKey`, `DescribeKey`), write its own log groups,
    /// publish metrics to Glue's namespace only; in a tier, the network-interface actions Glue
    /// connections need; with `lake_formation`, `lakeformation:GetDataAccess`.
    ///
    /// ## Why is this bad?
    /// The Glue role runs every job script, and a script is code anyone with write access to
    /// the scripts zone can change. A role that may write the raw zone can destroy the data the
    /// lake exists to keep, one that may delete tables or reach another lake's buckets can
    /// break what other teams query. cloudwright derives the role from the lake's crawler and
    /// jobs; the rule guards that derivation against drifting from what is documented.
    ///
    /// ## Example
    /// ```yaml
    /// # A Glue role with `s3:PutObject` on the raw zone, or `glue:DeleteTable` on the catalog
    /// # (written by hand, or by another tool).
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     jobs: { orders: {} }      # reads raw, writes processed
    /// ```
    ///
    /// ## References
    /// - AWS Glue Developer Guide: "Step 2: Create an IAM role for AWS Glue" (AWSGlueServiceRole)
    /// - checkov: CKV_AWS_355, CKV_AWS_290, CKV_AWS_288 (no data exfiltration in policies)
    pub static GLUE_ROLE_BEYOND_LAKE = {
        id: "DAT007",
        name: "glue-role-beyond-lake",
        summary: "a lake's Glue role may do more than its crawler and jobs need",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

/// The Data Catalog actions the README documents for the Glue role.
const CATALOG: &[&str] = &[
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:GetUserDefinedFunctions",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
];
const KEY: &[&str] = &[
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
];
const LOGS: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:AssociateKmsKey",
];
/// What Glue's network connections need, as AWS's AWSGlueServiceRole grants it (IAM001 checks
/// which of them may take `*`).
const NETWORK: &[&str] = &[
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcAttribute",
    "ec2:CreateTags",
    "ec2:DeleteTags",
];

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    findings.extend(problems(ctx.plan));
}

fn problems(plan: &Plan) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, c, l) in super::lakes(plan) {
        let Some(role) = plan.iam.role_of(index) else {
            continue;
        };
        let documented = Documented::of(c, l);
        for s in &role.statements {
            for action in &s.actions {
                let beyond: Vec<String> = s
                    .resources
                    .iter()
                    .filter(|r| !documented.permits(action, r, s.condition.is_some()))
                    .map(|r| r.cfn().unwrap_or_else(|e| e))
                    .collect();
                if !beyond.is_empty() {
                    findings.push(Finding {
                        field: format!("components.{}", c.name),
                        message: format!(
                            "the Glue role of lake `{}` may `{action}` on {} (statement {}), beyond what its crawler and jobs need",
                            c.name,
                            beyond.join(", "),
                            s.sid
                        ),
                        help: "grant the role only what `cloudwright explain DAT007` lists, on the lake's own resources".into(),
                    });
                }
            }
        }
    }
    findings
}

/// What the README documents for one lake's Glue role, built from the lake's names.
struct Documented<'a> {
    lake: &'a LakePlan,
    zones: Vec<(String, Expr)>,
    /// The zones the jobs write, and the temporary zone.
    writable: Vec<String>,
    catalog: Vec<Expr>,
    key: Expr,
    job_logs: Expr,
    crawler_logs: Expr,
}

impl<'a> Documented<'a> {
    fn of(c: &Planned, l: &'a LakePlan) -> Documented<'a> {
        let ids = &c.ids;
        let mut job_logs = vec![Part::Lit("log-group:".into())];
        job_logs.extend(log_prefix(ids, Part::Deployment));
        let mut writable: Vec<String> = l.jobs.iter().map(|j| j.target.clone()).collect();
        writable.push("temp".into());
        Documented {
            lake: l,
            zones: l
                .zones
                .iter()
                .map(|z| (z.name.clone(), bucket_arn(l, ids, &z.name)))
                .collect(),
            writable,
            catalog: catalog_arns(l, ids),
            key: ids.key_arn("Key", "lake"),
            job_logs: Expr::arn("logs", true, job_logs),
            crawler_logs: Expr::arn(
                "logs",
                true,
                vec![Part::Lit(format!("log-group:{CRAWLER_LOGS}"))],
            ),
        }
    }

    /// The zone whose bucket, or objects in it, `r` is.
    fn zone_of(&self, r: &Expr) -> Option<&str> {
        self.zones.iter().find_map(|(zone, arn)| {
            suffix_of(r, arn)
                .filter(|s| s.is_empty() || s.starts_with('/'))
                .map(|_| zone.as_str())
        })
    }

    fn permits(&self, action: &str, r: &Expr, conditioned: bool) -> bool {
        let l = self.lake;
        match action {
            "s3:GetObject" | "s3:ListBucket" => self.zone_of(r).is_some(),
            "s3:PutObject" | "s3:DeleteObject" => self
                .zone_of(r)
                .is_some_and(|z| self.writable.iter().any(|w| w == z)),
            a if CATALOG.contains(&a) => self.catalog.contains(r),
            a if KEY.contains(&a) => *r == self.key,
            a if LOGS.contains(&a) => {
                (!l.jobs.is_empty() && suffix_of(r, &self.job_logs).is_some())
                    || (l.crawler.is_some() && suffix_of(r, &self.crawler_logs).is_some())
            }
            "cloudwatch:PutMetricData" => !l.jobs.is_empty() && conditioned,
            "lakeformation:GetDataAccess" => l.lake_formation,
            a if NETWORK.contains(&a) => l.tier.is_some(),
            _ => false,
        }
    }
}

/// What `r` adds to `base` when it is `base` followed by literal text.
fn suffix_of<'r>(r: &'r Expr, base: &Expr) -> Option<&'r str> {
    let n = base.0.len();
    match base.0.last() {
        Some(Part::Lit(b)) => {
            if r.0.len() != n || r.0[..n - 1] != base.0[..n - 1] {
                return None;
            }
            match &r.0[n - 1] {
                Part::Lit(x) => x.strip_prefix(b.as_str()),
                _ => None,
            }
        }
        _ => match r.0.strip_prefix(base.0.as_slice())? {
            [] => Some(""),
            [Part::Lit(x)] => Some(x),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::Statement;

    const LAKE: &str = "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/20\n  azs: 2\n  tiers:\n    jobs: { size: /24, internet: outbound }\n    public: { size: /26, internet: inbound }\n  endpoints: [s3]\ncomponents:\n  lake:\n    kind: data_lake\n    tier: jobs\n    lake_formation: true\n    catalog_encryption: true\n    crawler: { schedule: cron(0 6 * * ? *) }\n    zones: { raw-archive: {} }\n    jobs: { orders: {}, archive: { source: processed, target: raw-archive } }\n";

    fn plan() -> Plan {
        crate::plan::of_text(LAKE)
    }

    /// The findings once `edit` has changed the derived Glue role.
    fn edited(edit: impl Fn(&mut Vec<Statement>, &Plan)) -> Vec<Finding> {
        let mut p = plan();
        let before = p.clone();
        let role = p
            .iam
            .roles
            .iter_mut()
            .find(|r| r.owner == 0 && r.purpose == crate::iam::Purpose::Execution)
            .unwrap();
        edit(&mut role.statements, &before);
        problems(&p)
    }

    fn lake(p: &Plan) -> (&Planned, &LakePlan) {
        let (_, c, l) = super::super::lakes(p).next().expect("the blueprint's lake");
        (c, l)
    }

    fn statement(actions: Vec<&'static str>, resources: Vec<Expr>) -> Statement {
        Statement {
            sid: "Extra".into(),
            actions,
            resources,
            condition: None,
        }
    }

    #[test]
    fn the_derived_role_is_what_is_documented() {
        assert_eq!(problems(&plan()), Vec::new());
        for (name, _) in crate::blueprint::catalog() {
            let doc = crate::blueprint::load(crate::blueprint::resolve(name).unwrap()).unwrap();
            let p = crate::plan::plan(&doc, None).unwrap();
            assert_eq!(problems(&p), Vec::new(), "{name}");
        }
    }

    #[test]
    fn writing_a_zone_no_job_writes_fires() {
        let f = edited(|s, p| {
            let (c, l) = lake(p);
            s.push(statement(
                vec!["s3:PutObject"],
                vec![bucket_arn(l, &c.ids, "raw").suffixed("/*")],
            ));
        });
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].field, "components.lake");
        assert!(f[0].message.contains("`s3:PutObject`"), "{}", f[0].message);
        let own_zones = edited(|s, p| {
            let (c, l) = lake(p);
            s.push(statement(
                vec!["s3:PutObject", "s3:DeleteObject"],
                vec![
                    bucket_arn(l, &c.ids, "raw-archive").suffixed("/*"),
                    bucket_arn(l, &c.ids, "temp").suffixed("/glue/*"),
                ],
            ));
        });
        assert_eq!(own_zones, Vec::new(), "the jobs' targets and temp");
    }

    #[test]
    fn another_lakes_bucket_a_delete_or_another_key_fires() {
        let other = Expr::lit("arn:aws:s3:::someone-elses-bucket/*");
        assert_eq!(
            edited(|s, _| s.push(statement(vec!["s3:GetObject"], vec![other.clone()]))).len(),
            1
        );
        let f = edited(|s, _| {
            let catalog = s.iter().find(|s| s.sid == "KeepItsDatabases").unwrap();
            let resources = catalog.resources.clone();
            s.push(statement(vec!["glue:DeleteTable"], resources));
        });
        assert!(!f.is_empty() && f.iter().all(|f| f.message.contains("glue:DeleteTable")));
        assert_eq!(
            edited(|s, _| s.push(statement(
                vec!["kms:Decrypt"],
                vec![Expr::lit("arn:aws:kms:us-east-1:111122223333:key/x")]
            )))
            .len(),
            1
        );
        assert_eq!(
            edited(|s, _| s.push(statement(vec!["s3:PutBucketPolicy"], vec![Expr::lit("*")])))
                .len(),
            1
        );
    }

    #[test]
    fn metrics_only_with_their_namespace_condition() {
        let f = edited(|s, _| {
            let m = s.iter_mut().find(|s| s.sid == "PublishJobMetrics").unwrap();
            m.condition = None;
        });
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn a_suffix_is_literal_text_after_the_whole_base() {
        let base = Expr::concat(vec![Part::Partition, Part::Lit(":s3:::b-raw".into())]);
        assert_eq!(suffix_of(&base.clone().suffixed("/*"), &base), Some("/*"));
        assert_eq!(suffix_of(&base, &base), Some(""));
        let other = Expr::concat(vec![Part::Region, Part::Lit(":s3:::b-raw/*".into())]);
        assert_eq!(suffix_of(&other, &base), None);
        let res = Expr::res("Key", Some("Arn"), "aws_kms_key.k.arn");
        assert_eq!(suffix_of(&res.clone().suffixed(":x"), &res), Some(":x"));
        assert_eq!(suffix_of(&Expr::lit("x"), &res), None);
    }
}
