//! The views of the blueprint's components: one per component, in blueprint order, each with
//! its kind's view and the templates that render it in each target.

use serde::Serialize;

use crate::components::{
    Kind, api, data_lake, database, function, pipeline, queue, service, table, topic,
};
use crate::expr::Expr;
use crate::plan::{ComponentPlan, Plan};

/// One component, as every target's templates read it.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentView {
    pub name: String,
    pub kind: &'static str,
    /// Stem of its logical IDs, `UsersFn`.
    pub id: String,
    /// Its Terraform name, `users_fn`.
    pub key: String,
    /// The CloudFormation fragment (SAM's too: a fragment writes SAM's types where `sam` is
    /// set) and the Terraform file's template.
    pub cfn_template: &'static str,
    pub tf_template: &'static str,
    /// `<name>.tf`.
    pub tf_file: String,
    pub table: Option<table::view::View>,
    pub function: Option<function::view::View>,
    pub api: Option<api::view::View>,
    pub topic: Option<topic::view::View>,
    pub queue: Option<queue::view::View>,
    pub pipeline: Option<pipeline::view::View>,
    pub data_lake: Option<data_lake::view::View>,
    pub database: Option<database::view::View>,
    pub service: Option<service::view::View>,
    pub outputs: Vec<Output>,
}

/// A value the deployment hands on: a CloudFormation output (exported as
/// `<stack>-<id>`, a value that never changes) and a Terraform output.
#[derive(Debug, Clone, Serialize)]
pub struct Output {
    pub id: String,
    pub tf_name: String,
    pub description: String,
    pub value: Expr,
}

fn output(c: &crate::plan::Planned, what: &str, description: String, value: Expr) -> Output {
    Output {
        id: c.ids.id(&crate::naming::pascal_case(what)),
        tf_name: format!("{}_{}", c.ids.snake, what.replace('-', "_")),
        description,
        value,
    }
}

fn outputs(c: &crate::plan::Planned) -> Vec<Output> {
    let n = &c.name;
    let ids = &c.ids;
    match &c.plan {
        ComponentPlan::Table(t) => {
            let mut o = vec![
                output(
                    c,
                    "table-name",
                    format!("Name of table {n}"),
                    ids.res("Table", None, "aws_dynamodb_table", "name"),
                ),
                output(
                    c,
                    "table-arn",
                    format!("ARN of table {n}"),
                    ids.res("Table", Some("Arn"), "aws_dynamodb_table", "arn"),
                ),
            ];
            if t.stream.is_some() {
                o.push(output(
                    c,
                    "stream-arn",
                    format!("ARN of the stream of table {n}"),
                    ids.res(
                        "Table",
                        Some("StreamArn"),
                        "aws_dynamodb_table",
                        "stream_arn",
                    ),
                ));
            }
            o
        }
        ComponentPlan::Function(_) => vec![
            output(
                c,
                "function-name",
                format!("Name of function {n}"),
                ids.res("Function", None, "aws_lambda_function", "function_name"),
            ),
            output(
                c,
                "function-arn",
                format!("ARN of function {n}"),
                ids.res("Function", Some("Arn"), "aws_lambda_function", "arn"),
            ),
        ],
        ComponentPlan::Api(a) => {
            let tf_type = crate::iam::api_tf_type(a);
            let mut o = vec![
                output(
                    c,
                    "api-id",
                    format!("ID of API {n}"),
                    ids.res("Api", None, tf_type, "id"),
                ),
                output(
                    c,
                    "url",
                    format!("Base URL of API {n}, stage {}", a.stage),
                    api::view::url(c, a),
                ),
            ];
            if a.auth == crate::components::api::Auth::Cognito {
                o.push(output(
                    c,
                    "user-pool-id",
                    format!("ID of the user pool of API {n}"),
                    ids.res("UserPool", None, "aws_cognito_user_pool", "id"),
                ));
                o.push(output(
                    c,
                    "user-pool-client-id",
                    format!("ID of the app client of API {n}'s user pool"),
                    ids.res("UserPoolClient", None, "aws_cognito_user_pool_client", "id"),
                ));
            }
            o
        }
        ComponentPlan::Topic(_) => vec![output(
            c,
            "topic-arn",
            format!("ARN of topic {n}"),
            ids.res("Topic", None, "aws_sns_topic", "arn"),
        )],
        ComponentPlan::Queue(q) => {
            let mut o = vec![
                output(
                    c,
                    "queue-url",
                    format!("URL of queue {n}"),
                    ids.res("Queue", None, "aws_sqs_queue", "url"),
                ),
                output(
                    c,
                    "queue-arn",
                    format!("ARN of queue {n}"),
                    queue::view::queue_arn(ids),
                ),
            ];
            if q.dead_letter.is_some() {
                o.push(output(
                    c,
                    "dead-letter-queue-url",
                    format!("URL of the dead-letter queue of queue {n}"),
                    crate::expr::Expr::res(
                        &ids.id("DeadLetterQueue"),
                        None,
                        &format!("{}.url", ids.tf_as("aws_sqs_queue", "dlq")),
                    ),
                ));
            }
            o
        }
        ComponentPlan::DataLake(l) => {
            let mut o = vec![output(
                c,
                "key-arn",
                format!("ARN of the key that encrypts lake {n}"),
                ids.key_arn("Key", "lake"),
            )];
            for z in &l.zones {
                o.push(output(
                    c,
                    &format!("{}-bucket", z.name),
                    format!("Name of the bucket of zone {} of lake {n}", z.name),
                    crate::expr::Expr::res(
                        &format!("{}Bucket", ids.id(&crate::naming::pascal_case(&z.name))),
                        None,
                        &format!(
                            "aws_s3_bucket.{}_{}.id",
                            ids.snake,
                            z.name.replace('-', "_")
                        ),
                    ),
                ));
            }
            for z in l.databases() {
                o.push(output(
                    c,
                    &format!("{}-database", z.name),
                    format!("Glue database of zone {} of lake {n}", z.name),
                    crate::expr::Expr::res(
                        &ids.id(&format!("{}Database", crate::naming::pascal_case(&z.name))),
                        None,
                        &format!(
                            "aws_glue_catalog_database.{}_{}.name",
                            ids.snake,
                            z.name.replace('-', "_")
                        ),
                    ),
                ));
            }
            for j in &l.jobs {
                o.push(output(
                    c,
                    &format!("{}-job", j.name),
                    format!("Name of Glue job {} of lake {n}", j.name),
                    crate::expr::Expr::res(
                        &ids.id(&format!("{}Job", crate::naming::pascal_case(&j.name))),
                        None,
                        &format!(
                            "aws_glue_job.{}_{}.name",
                            ids.snake,
                            j.name.replace('-', "_")
                        ),
                    ),
                ));
            }
            if l.athena.is_some() {
                o.push(output(
                    c,
                    "workgroup",
                    format!("Athena workgroup of lake {n}"),
                    ids.res("Workgroup", None, "aws_athena_workgroup", "name"),
                ));
            }
            o
        }
        ComponentPlan::Database(d) => {
            let aurora = d.engine.is_aurora();
            let (cfn, tf) = if aurora {
                ("Cluster", "aws_rds_cluster")
            } else {
                ("Instance", "aws_db_instance")
            };
            vec![
                output(
                    c,
                    "endpoint",
                    format!("Address clients of database {n} connect to"),
                    database::view::endpoint(ids, aurora),
                ),
                output(
                    c,
                    "port",
                    format!("Port of database {n}"),
                    ids.res(cfn, Some("Endpoint.Port"), tf, "port"),
                ),
                output(
                    c,
                    "secret-arn",
                    format!(
                        "ARN of the secret that holds the master user's credentials of database {n}"
                    ),
                    database::view::secret_arn(ids, aurora),
                ),
                output(
                    c,
                    "security-group-id",
                    format!("Security group of database {n}"),
                    ids.res("SecurityGroup", Some("GroupId"), "aws_security_group", "id"),
                ),
            ]
        }
        ComponentPlan::Service(_) => vec![
            output(
                c,
                "url",
                format!("Address of service {n}'s load balancer"),
                ids.res("LoadBalancer", Some("DNSName"), "aws_lb", "dns_name"),
            ),
            output(
                c,
                "cluster-name",
                format!("ECS cluster of service {n}"),
                ids.res("Cluster", None, "aws_ecs_cluster", "name"),
            ),
            output(
                c,
                "service-name",
                format!("ECS service name of service {n}"),
                ids.res("Service", Some("Name"), "aws_ecs_service", "name"),
            ),
        ],
        ComponentPlan::Pipeline(_) => vec![
            output(
                c,
                "state-machine-arn",
                format!("ARN of the state machine of pipeline {n}"),
                pipeline::view::state_machine_arn(ids),
            ),
            output(
                c,
                "state-machine-name",
                format!("Name of the state machine of pipeline {n}"),
                ids.res(
                    "StateMachine",
                    Some("Name"),
                    "aws_sfn_state_machine",
                    "name",
                ),
            ),
        ],
    }
}

/// The templates of a kind: CloudFormation (and SAM) and Terraform.
pub fn templates(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Table => (
            "cloudformation/components/table.yaml.j2",
            "terraform/components/table.tf.j2",
        ),
        Kind::Function => (
            "cloudformation/components/function.yaml.j2",
            "terraform/components/function.tf.j2",
        ),
        Kind::Api => (
            "cloudformation/components/api.yaml.j2",
            "terraform/components/api.tf.j2",
        ),
        Kind::Topic => (
            "cloudformation/components/topic.yaml.j2",
            "terraform/components/topic.tf.j2",
        ),
        Kind::Queue => (
            "cloudformation/components/queue.yaml.j2",
            "terraform/components/queue.tf.j2",
        ),
        Kind::Pipeline => (
            "cloudformation/components/pipeline.yaml.j2",
            "terraform/components/pipeline.tf.j2",
        ),
        Kind::Service => (
            "cloudformation/components/service.yaml.j2",
            "terraform/components/service.tf.j2",
        ),
        Kind::Database => (
            "cloudformation/components/database.yaml.j2",
            "terraform/components/database.tf.j2",
        ),
        Kind::DataLake => (
            "cloudformation/components/data-lake.yaml.j2",
            "terraform/components/data-lake.tf.j2",
        ),
    }
}

/// Builds every component's view.
pub fn components(plan: &Plan, accepted: &[crate::validate::Accepted]) -> Vec<ComponentView> {
    plan.components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (cfn_template, tf_template) = templates(c.kind);
            let mut v = ComponentView {
                name: c.name.clone(),
                kind: c.kind.name(),
                id: c.ids.pascal.clone(),
                key: c.ids.snake.clone(),
                cfn_template,
                tf_template,
                tf_file: format!("{}.tf", c.name),
                table: None,
                function: None,
                api: None,
                topic: None,
                queue: None,
                pipeline: None,
                data_lake: None,
                database: None,
                service: None,
                outputs: outputs(c),
            };
            match &c.plan {
                ComponentPlan::Table(t) => v.table = Some(table::view::view(c, t, plan)),
                ComponentPlan::Function(f) => {
                    v.function = Some(function::view::view(c, f, plan, i, accepted));
                }
                ComponentPlan::Api(a) => v.api = Some(api::view::view(c, a, plan, i, accepted)),
                ComponentPlan::Topic(t) => v.topic = Some(topic::view::view(c, t, plan, i)),
                ComponentPlan::Queue(q) => {
                    v.queue = Some(queue::view::view(c, q, plan, i, accepted));
                }
                ComponentPlan::Pipeline(p) => {
                    v.pipeline = Some(pipeline::view::view(c, p, plan, i, accepted));
                }
                ComponentPlan::DataLake(l) => {
                    v.data_lake = Some(data_lake::view::view(c, l, plan, i, accepted));
                }
                ComponentPlan::Database(d) => {
                    v.database = Some(database::view::view(c, d, plan, i, accepted));
                }
                ComponentPlan::Service(s) => {
                    v.service = Some(service::view::view(c, s, plan, i, accepted));
                }
            }
            v
        })
        .collect()
}
