//! The declared inventory of a blueprint: how many resources of each CloudFormation type its
//! output holds, counted from the plan's views, not from the rendered text. The parity test
//! checks every target against it (Terraform through the type map in [`super::aws`]), and the
//! per-output README will list it.

use std::collections::BTreeMap;

use super::components::ComponentView;
use super::context;
use crate::plan::Plan;
use crate::validate::Accepted;

/// Resources by CloudFormation type.
pub type Inventory = BTreeMap<&'static str, usize>;

fn add(inv: &mut Inventory, ty: &'static str, n: usize) {
    if n > 0 {
        *inv.entry(ty).or_default() += n;
    }
}

/// Every resource the blueprint's output declares, by CloudFormation type.
pub fn inventory(plan: &Plan, accepted: &[Accepted]) -> Inventory {
    of_views(
        plan,
        context::network(plan).as_ref(),
        &super::components::components(plan, accepted),
    )
}

/// [`inventory`], from the views a render has already made.
pub(crate) fn of_views(
    plan: &Plan,
    network: Option<&context::Network>,
    components: &[ComponentView],
) -> Inventory {
    let mut inv = Inventory::new();
    if let Some(n) = network {
        add(&mut inv, "AWS::EC2::VPC", 1);
        if n.internet_gateway {
            add(&mut inv, "AWS::EC2::InternetGateway", 1);
            add(&mut inv, "AWS::EC2::VPCGatewayAttachment", 1);
        }
        add(&mut inv, "AWS::EC2::Subnet", n.subnets.len());
        add(
            &mut inv,
            "AWS::EC2::SubnetRouteTableAssociation",
            n.subnets.len(),
        );
        add(&mut inv, "AWS::EC2::RouteTable", n.route_tables.len());
        let routes = n
            .route_tables
            .iter()
            .filter(|r| r.via_internet_gateway || r.nat_id.is_some())
            .count();
        add(&mut inv, "AWS::EC2::Route", routes);
        add(&mut inv, "AWS::EC2::EIP", n.nat_gateways.len());
        add(&mut inv, "AWS::EC2::NatGateway", n.nat_gateways.len());
        add(&mut inv, "AWS::EC2::VPCEndpoint", n.endpoints.len());
        if let Some(ie) = &n.interface_endpoints {
            add(&mut inv, "AWS::EC2::VPCEndpoint", ie.endpoints.len());
            add(&mut inv, "AWS::EC2::SecurityGroup", 1);
        }
        if n.flow_logs.is_some() {
            for ty in [
                "AWS::KMS::Key",
                "AWS::KMS::Alias",
                "AWS::Logs::LogGroup",
                "AWS::IAM::Role",
                "AWS::EC2::FlowLog",
            ] {
                add(&mut inv, ty, 1);
            }
        }
    }
    if plan.budget.is_some() {
        add(&mut inv, "AWS::Budgets::Budget", 1);
    }
    for c in components {
        component(&mut inv, c);
    }
    inv
}

fn log_group(inv: &mut Inventory) {
    for ty in ["AWS::KMS::Key", "AWS::KMS::Alias", "AWS::Logs::LogGroup"] {
        add(inv, ty, 1);
    }
}

fn component(inv: &mut Inventory, c: &ComponentView) {
    if let Some(t) = &c.table {
        add(inv, "AWS::DynamoDB::Table", 1);
        if t.key.is_some() {
            add(inv, "AWS::KMS::Key", 1);
            add(inv, "AWS::KMS::Alias", 1);
        }
        if t.provisioned.is_some() {
            add(inv, "AWS::ApplicationAutoScaling::ScalableTarget", 2);
            add(inv, "AWS::ApplicationAutoScaling::ScalingPolicy", 2);
        }
    }
    if let Some(f) = &c.function {
        log_group(inv);
        add(inv, "AWS::IAM::Role", 1);
        add(inv, "AWS::Lambda::Function", 1);
        add(inv, "AWS::EC2::SecurityGroup", usize::from(f.vpc.is_some()));
        add(inv, "AWS::Lambda::Permission", f.permissions.len());
        add(
            inv,
            "AWS::CloudWatch::Alarm",
            usize::from(f.alarm.is_some()),
        );
        add(
            inv,
            "AWS::Lambda::EventSourceMapping",
            usize::from(f.consumes.is_some()),
        );
    }
    if let Some(l) = &c.data_lake {
        add(inv, "AWS::KMS::Key", 1);
        add(inv, "AWS::KMS::Alias", 1);
        add(inv, "AWS::S3::Bucket", l.buckets.len() + 1);
        add(inv, "AWS::S3::BucketPolicy", l.buckets.len() + 1);
        add(inv, "AWS::IAM::Role", 1);
        add(inv, "AWS::Glue::SecurityConfiguration", 1);
        add(
            inv,
            "AWS::Glue::DataCatalogEncryptionSettings",
            usize::from(l.catalog_encryption),
        );
        add(inv, "AWS::Glue::Database", l.databases.len());
        if l.lake_formation.is_some() {
            add(
                inv,
                "AWS::LakeFormation::PrincipalPermissions",
                2 * l.databases.len(),
            );
            add(inv, "AWS::IAM::Role", 1);
            add(inv, "AWS::LakeFormation::Resource", l.databases.len());
            add(
                inv,
                "AWS::LakeFormation::PrincipalPermissions",
                l.databases.len(),
            );
        }
        add(inv, "AWS::Glue::Crawler", usize::from(l.crawler.is_some()));
        add(inv, "AWS::Logs::LogGroup", usize::from(l.crawler.is_some()));
        add(inv, "AWS::Logs::LogGroup", l.log_groups.len());
        add(inv, "AWS::Glue::Job", l.jobs.len());
        if let Some(n) = &l.network {
            add(inv, "AWS::EC2::SecurityGroup", 1);
            add(inv, "AWS::EC2::SecurityGroupIngress", 1);
            add(inv, "AWS::EC2::SecurityGroupEgress", 1);
            add(inv, "AWS::Glue::Connection", n.connections.len());
        }
        add(
            inv,
            "AWS::Athena::WorkGroup",
            usize::from(l.workgroup.is_some()),
        );
    }
    if let Some(d) = &c.database {
        if d.key.is_some() {
            add(inv, "AWS::KMS::Key", 1);
            add(inv, "AWS::KMS::Alias", 1);
        }
        add(inv, "AWS::RDS::DBSubnetGroup", 1);
        add(inv, "AWS::EC2::SecurityGroup", 1);
        add(inv, "AWS::EC2::SecurityGroupIngress", d.ingress.len());
        add(inv, "AWS::KMS::Key", 1);
        add(inv, "AWS::KMS::Alias", 1);
        add(inv, "AWS::Logs::LogGroup", d.log_groups.len());
        add(inv, "AWS::IAM::Role", usize::from(d.monitoring.is_some()));
        if d.aurora {
            add(inv, "AWS::RDS::DBClusterParameterGroup", 1);
            add(inv, "AWS::RDS::DBCluster", 1);
            add(inv, "AWS::RDS::DBInstance", d.instances.len());
        } else {
            add(inv, "AWS::RDS::DBParameterGroup", 1);
            add(inv, "AWS::RDS::DBInstance", 1);
        }
        if d.backup.is_some() {
            for ty in [
                "AWS::KMS::Key",
                "AWS::KMS::Alias",
                "AWS::Backup::BackupVault",
                "AWS::Backup::BackupPlan",
                "AWS::Backup::BackupSelection",
                "AWS::IAM::Role",
            ] {
                add(inv, ty, 1);
            }
        }
        add(inv, "AWS::CloudWatch::Alarm", d.alarms.len());
    }
    if let Some(s) = &c.service {
        log_group(inv);
        for ty in [
            "AWS::ECS::Cluster",
            "AWS::ECS::TaskDefinition",
            "AWS::ECS::Service",
            "AWS::IAM::Role",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            "AWS::S3::Bucket",
            "AWS::S3::BucketPolicy",
            "AWS::EC2::SecurityGroupIngress",
        ] {
            add(inv, ty, 1);
        }
        add(inv, "AWS::EC2::SecurityGroup", 2);
        add(inv, "AWS::IAM::Role", usize::from(s.task_role.is_some()));
        add(
            inv,
            "AWS::ElasticLoadBalancingV2::Listener",
            1 + usize::from(s.https),
        );
        if s.autoscaling.is_some() {
            add(inv, "AWS::ApplicationAutoScaling::ScalableTarget", 1);
            add(
                inv,
                "AWS::ApplicationAutoScaling::ScalingPolicy",
                1 + usize::from(
                    s.autoscaling
                        .is_some_and(|a| a.requests_per_target.is_some()),
                ),
            );
        }
        add(inv, "AWS::CloudWatch::Alarm", s.alarms.len());
    }
    if let Some(q) = &c.queue {
        let queues = 1 + usize::from(q.dead_letter.is_some());
        add(inv, "AWS::SQS::Queue", queues);
        add(inv, "AWS::SQS::QueuePolicy", queues);
        if q.key.is_some() {
            add(inv, "AWS::KMS::Key", 1);
            add(inv, "AWS::KMS::Alias", 1);
        }
        add(
            inv,
            "AWS::CloudWatch::Alarm",
            usize::from(q.dead_letter.as_ref().is_some_and(|d| d.alarm.is_some())),
        );
    }
    if let Some(p) = &c.pipeline {
        log_group(inv);
        add(inv, "AWS::IAM::Role", 1 + usize::from(p.schedule.is_some()));
        add(inv, "AWS::StepFunctions::StateMachine", 1);
        if let Some(s) = &p.schedule {
            add(inv, "AWS::Scheduler::Schedule", 1);
            add(inv, "AWS::SQS::Queue", 1);
            add(inv, "AWS::SQS::QueuePolicy", 1);
            add(
                inv,
                "AWS::CloudWatch::Alarm",
                usize::from(s.dead_letter.alarm.is_some()),
            );
        }
        add(
            inv,
            "AWS::CloudWatch::Alarm",
            usize::from(p.alarm.is_some()),
        );
    }
    if let Some(a) = &c.api {
        log_group(inv);
        if a.user_pool.is_some() {
            add(inv, "AWS::Cognito::UserPool", 1);
            add(inv, "AWS::Cognito::UserPoolClient", 1);
        }
        let cors = a.cors_origin.is_some();
        if a.rest {
            add(inv, "AWS::ApiGateway::RestApi", 1);
            add(
                inv,
                "AWS::ApiGateway::Authorizer",
                usize::from(a.user_pool.is_some()),
            );
            if !a.models.is_empty() {
                add(inv, "AWS::ApiGateway::RequestValidator", 1);
                add(inv, "AWS::ApiGateway::Model", a.models.len());
            }
            add(
                inv,
                "AWS::ApiGateway::GatewayResponse",
                if cors { 2 } else { 0 },
            );
            add(inv, "AWS::ApiGateway::Resource", a.resources.len());
            let preflights = if cors { a.resources.len() } else { 0 };
            add(inv, "AWS::ApiGateway::Method", a.routes.len() + preflights);
            add(inv, "AWS::ApiGateway::Deployment", 1);
            add(inv, "AWS::ApiGateway::Stage", 1);
        } else {
            add(inv, "AWS::ApiGatewayV2::Api", 1);
            add(
                inv,
                "AWS::ApiGatewayV2::Authorizer",
                usize::from(a.user_pool.is_some()),
            );
            add(inv, "AWS::ApiGatewayV2::Integration", a.routes.len());
            add(inv, "AWS::ApiGatewayV2::Route", a.routes.len());
            add(inv, "AWS::ApiGatewayV2::Stage", 1);
        }
        add(
            inv,
            "AWS::CloudWatch::Alarm",
            usize::from(a.alarm.is_some()),
        );
    }
    if let Some(t) = &c.topic {
        for ty in [
            "AWS::KMS::Key",
            "AWS::KMS::Alias",
            "AWS::SNS::Topic",
            "AWS::SNS::TopicPolicy",
        ] {
            add(inv, ty, 1);
        }
        add(
            inv,
            "AWS::SNS::Subscription",
            t.emails.len() + t.functions.len() + t.queues.len(),
        );
    }
}
