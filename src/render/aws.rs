//! The declared CloudFormation ↔ Terraform resource-type map: for each CloudFormation type the
//! Terraform type of the same resource, and the companions Terraform needs for what
//! CloudFormation writes inline (a role's `Policies`, a method's `Integration`). The parity test
//! (`tests/catalog.rs`) counts both targets' resources through it, so a template that renders a
//! resource in one target only fails until it is declared here.

/// One CloudFormation type and its Terraform counterpart.
#[derive(Debug, Clone, Copy)]
pub struct Types {
    pub cfn: &'static str,
    /// The Terraform type of the same resource; `None` where Terraform needs none (an
    /// attachment its provider makes implicitly).
    pub tf: Option<&'static str>,
    /// Terraform types that carry what CloudFormation writes inside this resource: never more
    /// instances than the resource has.
    pub tf_with: &'static [&'static str],
    /// Terraform types that carry what CloudFormation writes inside this resource, any number
    /// of them to one (a security group's rules, written inline in CloudFormation).
    pub tf_many: &'static [&'static str],
}

const fn t(cfn: &'static str, tf: &'static str, tf_with: &'static [&'static str]) -> Types {
    Types {
        cfn,
        tf: Some(tf),
        tf_with,
        tf_many: &[],
    }
}

/// Every type cloudwright renders.
pub const TYPES: &[Types] = &[
    t("AWS::EC2::VPC", "aws_vpc", &["aws_default_security_group"]),
    t("AWS::EC2::InternetGateway", "aws_internet_gateway", &[]),
    Types {
        cfn: "AWS::EC2::VPCGatewayAttachment",
        tf: None,
        tf_with: &[],
        tf_many: &[],
    },
    t("AWS::EC2::Subnet", "aws_subnet", &[]),
    t("AWS::EC2::RouteTable", "aws_route_table", &[]),
    t(
        "AWS::EC2::SubnetRouteTableAssociation",
        "aws_route_table_association",
        &[],
    ),
    t("AWS::EC2::Route", "aws_route", &[]),
    t("AWS::EC2::EIP", "aws_eip", &[]),
    t("AWS::EC2::NatGateway", "aws_nat_gateway", &[]),
    t("AWS::EC2::VPCEndpoint", "aws_vpc_endpoint", &[]),
    Types {
        cfn: "AWS::EC2::SecurityGroup",
        tf: Some("aws_security_group"),
        tf_with: &[],
        tf_many: &[
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
        ],
    },
    // A self-referencing rule (in or out) is its own resource in CloudFormation (inline it would be a
    // cycle); Terraform writes it inside its group (`self = true`).
    Types {
        cfn: "AWS::EC2::SecurityGroupIngress",
        tf: None,
        tf_with: &[],
        tf_many: &[],
    },
    Types {
        cfn: "AWS::EC2::SecurityGroupEgress",
        tf: None,
        tf_with: &[],
        tf_many: &[],
    },
    t("AWS::EC2::FlowLog", "aws_flow_log", &[]),
    t("AWS::KMS::Key", "aws_kms_key", &[]),
    t("AWS::KMS::Alias", "aws_kms_alias", &[]),
    t("AWS::Logs::LogGroup", "aws_cloudwatch_log_group", &[]),
    t(
        "AWS::IAM::Role",
        "aws_iam_role",
        &["aws_iam_role_policy", "aws_iam_role_policy_attachment"],
    ),
    t("AWS::Budgets::Budget", "aws_budgets_budget", &[]),
    t("AWS::DynamoDB::Table", "aws_dynamodb_table", &[]),
    t(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "aws_appautoscaling_target",
        &[],
    ),
    t(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "aws_appautoscaling_policy",
        &[],
    ),
    t("AWS::Lambda::Function", "aws_lambda_function", &[]),
    t("AWS::Lambda::Permission", "aws_lambda_permission", &[]),
    t("AWS::SNS::Topic", "aws_sns_topic", &[]),
    t("AWS::SNS::TopicPolicy", "aws_sns_topic_policy", &[]),
    t("AWS::SNS::Subscription", "aws_sns_topic_subscription", &[]),
    t(
        "AWS::StepFunctions::StateMachine",
        "aws_sfn_state_machine",
        &[],
    ),
    t("AWS::Scheduler::Schedule", "aws_scheduler_schedule", &[]),
    t("AWS::SQS::Queue", "aws_sqs_queue", &[]),
    t("AWS::RDS::DBSubnetGroup", "aws_db_subnet_group", &[]),
    t("AWS::ECS::Cluster", "aws_ecs_cluster", &[]),
    t("AWS::ECS::TaskDefinition", "aws_ecs_task_definition", &[]),
    t("AWS::ECS::Service", "aws_ecs_service", &[]),
    t("AWS::ElasticLoadBalancingV2::LoadBalancer", "aws_lb", &[]),
    t(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "aws_lb_target_group",
        &[],
    ),
    t(
        "AWS::ElasticLoadBalancingV2::Listener",
        "aws_lb_listener",
        &[],
    ),
    t("AWS::RDS::DBParameterGroup", "aws_db_parameter_group", &[]),
    t(
        "AWS::RDS::DBClusterParameterGroup",
        "aws_rds_cluster_parameter_group",
        &[],
    ),
    t("AWS::RDS::DBInstance", "aws_db_instance", &[]),
    t("AWS::RDS::DBCluster", "aws_rds_cluster", &[]),
    t("AWS::Backup::BackupVault", "aws_backup_vault", &[]),
    t("AWS::Backup::BackupPlan", "aws_backup_plan", &[]),
    t("AWS::Backup::BackupSelection", "aws_backup_selection", &[]),
    t("AWS::SQS::QueuePolicy", "aws_sqs_queue_policy", &[]),
    t(
        "AWS::Lambda::EventSourceMapping",
        "aws_lambda_event_source_mapping",
        &[],
    ),
    t("AWS::CloudWatch::Alarm", "aws_cloudwatch_metric_alarm", &[]),
    t("AWS::Cognito::UserPool", "aws_cognito_user_pool", &[]),
    t(
        "AWS::Cognito::UserPoolClient",
        "aws_cognito_user_pool_client",
        &[],
    ),
    t("AWS::ApiGateway::RestApi", "aws_api_gateway_rest_api", &[]),
    t("AWS::ApiGateway::Resource", "aws_api_gateway_resource", &[]),
    t(
        "AWS::ApiGateway::Method",
        "aws_api_gateway_method",
        &[
            "aws_api_gateway_integration",
            "aws_api_gateway_method_response",
            "aws_api_gateway_integration_response",
        ],
    ),
    t(
        "AWS::ApiGateway::Authorizer",
        "aws_api_gateway_authorizer",
        &[],
    ),
    t(
        "AWS::ApiGateway::RequestValidator",
        "aws_api_gateway_request_validator",
        &[],
    ),
    t("AWS::ApiGateway::Model", "aws_api_gateway_model", &[]),
    t(
        "AWS::ApiGateway::GatewayResponse",
        "aws_api_gateway_gateway_response",
        &[],
    ),
    t(
        "AWS::ApiGateway::Deployment",
        "aws_api_gateway_deployment",
        &[],
    ),
    t(
        "AWS::ApiGateway::Stage",
        "aws_api_gateway_stage",
        &["aws_api_gateway_method_settings"],
    ),
    t("AWS::ApiGatewayV2::Api", "aws_apigatewayv2_api", &[]),
    t(
        "AWS::ApiGatewayV2::Authorizer",
        "aws_apigatewayv2_authorizer",
        &[],
    ),
    t(
        "AWS::ApiGatewayV2::Integration",
        "aws_apigatewayv2_integration",
        &[],
    ),
    t("AWS::ApiGatewayV2::Route", "aws_apigatewayv2_route", &[]),
    t("AWS::ApiGatewayV2::Stage", "aws_apigatewayv2_stage", &[]),
    t(
        "AWS::S3::Bucket",
        "aws_s3_bucket",
        &[
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_logging",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_notification",
        ],
    ),
    t("AWS::S3::BucketPolicy", "aws_s3_bucket_policy", &[]),
    t("AWS::Glue::Database", "aws_glue_catalog_database", &[]),
    t("AWS::Glue::Crawler", "aws_glue_crawler", &[]),
    t("AWS::Glue::Job", "aws_glue_job", &[]),
    t("AWS::Glue::Connection", "aws_glue_connection", &[]),
    t(
        "AWS::Glue::SecurityConfiguration",
        "aws_glue_security_configuration",
        &[],
    ),
    t(
        "AWS::Glue::DataCatalogEncryptionSettings",
        "aws_glue_data_catalog_encryption_settings",
        &[],
    ),
    t(
        "AWS::LakeFormation::PrincipalPermissions",
        "aws_lakeformation_permissions",
        &[],
    ),
    t(
        "AWS::LakeFormation::Resource",
        "aws_lakeformation_resource",
        &[],
    ),
    t("AWS::Athena::WorkGroup", "aws_athena_workgroup", &[]),
];

/// Terraform types that are another Terraform type's CloudFormation resource: an Aurora
/// cluster's instance is an `AWS::RDS::DBInstance` (in a cluster), as a lone instance is.
pub const TF_SAME: &[(&str, &str)] = &[("aws_rds_cluster_instance", "aws_db_instance")];

/// Terraform resources with no CloudFormation counterpart: the ID that tells a configuration's
/// deployment apart (CloudFormation has the stack's own), and the upload of a lake's job
/// scripts (CloudFormation deployments upload them with the command the template names).
pub const TF_ONLY: &[&str] = &["terraform_data", "aws_s3_object"];

/// The SAM types and the CloudFormation type each expands to, one for one.
pub const SAM_TYPES: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "AWS::Lambda::Function"),
    (
        "AWS::Serverless::StateMachine",
        "AWS::StepFunctions::StateMachine",
    ),
];
