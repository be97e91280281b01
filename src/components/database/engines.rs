//! The engines a database may run, in one table: each engine's AWS name, the version written
//! (current, and not one cfn-lint flags as deprecated), its parameter-group family, port, the
//! logs it exports and the parameter that refuses connections without TLS.

use serde::Deserialize;

/// The database engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// RDS for PostgreSQL (the default).
    #[default]
    Postgres,
    /// RDS for MySQL.
    Mysql,
    /// Aurora PostgreSQL Serverless v2: a cluster whose instances scale in ACUs.
    AuroraPostgres,
}

/// What cloudwright writes for an engine.
pub struct EngineInfo {
    /// `PostgreSQL`: for comments and messages.
    pub title: &'static str,
    /// RDS's engine name.
    pub aws: &'static str,
    /// The version CloudFormation is given: RDS picks the newest minor version of a major one
    /// where cfn-lint knows the major alone; MySQL's list holds full versions only.
    pub cfn_version: &'static str,
    /// The version Terraform is given: a prefix the provider matches against the running
    /// version, so that an automatic minor upgrade plans no downgrade.
    pub tf_version: &'static str,
    /// The parameter group family.
    pub family: &'static str,
    pub port: u16,
    /// The logs exported to CloudWatch Logs.
    pub logs: &'static [&'static str],
    /// The parameters its parameter group sets: the one that refuses connections without TLS,
    /// then those that log schema changes and queries slower than a second (MySQL's to the file
    /// RDS exports).
    pub parameters: &'static [(&'static str, &'static str)],
    /// The longest database name the engine accepts.
    pub max_database_name: usize,
}

impl Engine {
    pub fn info(self) -> &'static EngineInfo {
        match self {
            Engine::Postgres => &EngineInfo {
                title: "PostgreSQL",
                aws: "postgres",
                cfn_version: "18",
                tf_version: "18",
                family: "postgres18",
                port: 5432,
                logs: &["postgresql", "upgrade"],
                parameters: &[
                    ("rds.force_ssl", "1"),
                    ("log_statement", "ddl"),
                    ("log_min_duration_statement", "1000"),
                ],
                max_database_name: 63,
            },
            Engine::Mysql => &EngineInfo {
                title: "MySQL",
                aws: "mysql",
                cfn_version: "8.4.8",
                tf_version: "8.4",
                family: "mysql8.4",
                port: 3306,
                logs: &["error", "slowquery"],
                parameters: &[
                    ("require_secure_transport", "1"),
                    ("slow_query_log", "1"),
                    ("long_query_time", "1"),
                    ("log_output", "FILE"),
                ],
                max_database_name: 64,
            },
            Engine::AuroraPostgres => &EngineInfo {
                title: "Aurora PostgreSQL Serverless v2",
                aws: "aurora-postgresql",
                cfn_version: "17",
                tf_version: "17",
                family: "aurora-postgresql17",
                port: 5432,
                logs: &["postgresql"],
                parameters: &[
                    ("rds.force_ssl", "1"),
                    ("log_statement", "ddl"),
                    ("log_min_duration_statement", "1000"),
                ],
                max_database_name: 63,
            },
        }
    }

    pub fn is_aurora(self) -> bool {
        self == Engine::AuroraPostgres
    }
}
