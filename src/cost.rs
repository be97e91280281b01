//! The cost estimate of a plan, offline and before any code exists: what the blueprint's
//! resources cost a month just by existing (NAT gateway and interface endpoint hours, their
//! public IPv4 addresses, KMS keys, alarms, provisioned table capacity), and the unit prices of
//! what grows with use. Counted from the declared inventory, priced from one table.
//!
//! The prices are AWS's on-demand list prices in US dollars, from the service pricing pages
//! (aws.amazon.com/<service>/pricing), taken on 2026-12-01, for the regions in [`PRICED`]: the
//! ones whose prices for every item are known here exactly (the US regions charge alike; Europe's
//! differ item by item, and are left out until each is checked). A region not in the table gets
//! the counts and no dollars, rather than a guess. Free tiers and taxes are left out; a month is
//! 730 hours, as AWS's calculator counts it.

use serde::Serialize;

use crate::components::function::Architecture;
use crate::components::table::Capacity;
use crate::plan::{ComponentPlan, Plan};
use crate::render::inventory;

/// When the prices were taken, and from where.
pub const SOURCE: &str = "AWS on-demand list prices in US dollars, taken 2026-12-01";

/// Hours in a month, as AWS's pricing calculator counts them.
pub const HOURS_PER_MONTH: u64 = 730;

/// Prices in millionths of a US dollar, so that sums are exact.
#[derive(Debug, Clone, Copy)]
pub struct Prices {
    pub nat_gateway_hour: u64,
    pub nat_gateway_gb: u64,
    pub public_ipv4_hour: u64,
    pub interface_endpoint_az_hour: u64,
    pub interface_endpoint_gb: u64,
    pub kms_key_month: u64,
    pub kms_requests_10k: u64,
    pub alarm_month: u64,
    pub logs_ingest_gb: u64,
    pub logs_storage_gb_month: u64,
    pub s3_standard_gb_month: u64,
    pub dynamodb_write_million: u64,
    pub dynamodb_read_million: u64,
    pub dynamodb_storage_gb_month: u64,
    pub dynamodb_pitr_gb_month: u64,
    pub dynamodb_wcu_hour: u64,
    pub dynamodb_rcu_hour: u64,
    pub lambda_requests_million: u64,
    pub lambda_arm_gb_second_million: u64,
    pub lambda_x86_gb_second_million: u64,
    pub xray_traces_million: u64,
    pub scheduler_invocations_million: u64,
    pub s3_put_thousand: u64,
    pub s3_get_thousand: u64,
    pub sqs_fifo_requests_million: u64,
    pub api_rest_million: u64,
    pub api_http_million: u64,
    pub cognito_plus_mau: u64,
    pub sns_publish_million: u64,
    pub sqs_requests_million: u64,
    pub sfn_transitions_thousand: u64,
    pub glue_dpu_hour: u64,
    pub athena_tb: u64,
    pub alb_hour: u64,
    pub alb_lcu_hour: u64,
    pub fargate_vcpu_hour: u64,
    pub fargate_gb_hour: u64,
    pub rds_gp3_gb_month: u64,
    pub aurora_acu_hour: u64,
    /// Instance-hour prices of RDS for PostgreSQL and MySQL (alike for these classes), single-AZ;
    /// a class not listed gets its count and no dollars, and the estimate no total.
    pub rds_instance_hours: &'static [(&'static str, u64)],
}

/// US East (N. Virginia); US East (Ohio) and US West (Oregon) charge the same for every item.
const US: Prices = Prices {
    nat_gateway_hour: 45_000,
    nat_gateway_gb: 45_000,
    public_ipv4_hour: 5_000,
    interface_endpoint_az_hour: 10_000,
    interface_endpoint_gb: 10_000,
    kms_key_month: 1_000_000,
    kms_requests_10k: 30_000,
    alarm_month: 100_000,
    logs_ingest_gb: 500_000,
    logs_storage_gb_month: 30_000,
    s3_standard_gb_month: 23_000,
    dynamodb_write_million: 625_000,
    dynamodb_read_million: 125_000,
    dynamodb_storage_gb_month: 250_000,
    dynamodb_pitr_gb_month: 200_000,
    dynamodb_wcu_hour: 650,
    dynamodb_rcu_hour: 130,
    lambda_requests_million: 200_000,
    lambda_arm_gb_second_million: 13_333_400,
    lambda_x86_gb_second_million: 16_666_700,
    xray_traces_million: 5_000_000,
    scheduler_invocations_million: 1_000_000,
    s3_put_thousand: 5_000,
    s3_get_thousand: 400,
    sqs_fifo_requests_million: 500_000,
    api_rest_million: 3_500_000,
    api_http_million: 1_000_000,
    cognito_plus_mau: 20_000,
    sns_publish_million: 500_000,
    sqs_requests_million: 400_000,
    sfn_transitions_thousand: 25_000,
    glue_dpu_hour: 440_000,
    athena_tb: 5_000_000,
    alb_hour: 22_500,
    alb_lcu_hour: 8_000,
    fargate_vcpu_hour: 40_480,
    fargate_gb_hour: 4_445,
    rds_gp3_gb_month: 115_000,
    aurora_acu_hour: 120_000,
    rds_instance_hours: &[
        ("db.t4g.micro", 16_000),
        ("db.t4g.small", 32_000),
        ("db.t4g.medium", 65_000),
    ],
};

/// The regions with prices, and theirs.
pub const PRICED: &[(&str, &Prices)] =
    &[("us-east-1", &US), ("us-east-2", &US), ("us-west-2", &US)];

/// One fixed monthly charge: what, how many, the unit price, and the month's total (both in
/// millionths of a dollar; `None` where the region has no prices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fixed {
    pub what: String,
    pub quantity: u64,
    pub unit: &'static str,
    pub unit_price: Option<u64>,
    pub monthly: Option<u64>,
}

/// A charge that grows with use: what it is and its unit price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub what: &'static str,
    pub unit: &'static str,
    pub price: Option<u64>,
}

/// The estimate of one plan.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub region: &'static str,
    /// Whether the table has the region's prices.
    pub priced: bool,
    pub fixed: Vec<Fixed>,
    /// The fixed charges' sum, in millionths of a dollar, when priced.
    pub fixed_total: Option<u64>,
    pub usage: Vec<Usage>,
}

/// The estimate of `plan`'s fixed and usage-priced costs in its region.
pub fn estimate(plan: &Plan) -> Estimate {
    estimate_of(plan, &inventory::inventory(plan, &[]))
}

/// [`estimate`], from the plan's inventory.
pub fn estimate_of(plan: &Plan, inv: &inventory::Inventory) -> Estimate {
    let prices = PRICED
        .iter()
        .find(|(r, _)| *r == plan.region.name)
        .map(|(_, p)| **p);
    let count = |ty: &str| inv.get(ty).copied().unwrap_or(0) as u64;
    let mut fixed = Vec::new();
    let mut add = |what: String,
                   quantity: u64,
                   unit: &'static str,
                   price: fn(&Prices) -> u64,
                   per_hour: bool| {
        if quantity == 0 {
            return;
        }
        let unit_price = prices.as_ref().map(price);
        let hours = if per_hour { HOURS_PER_MONTH } else { 1 };
        fixed.push(Fixed {
            what,
            quantity,
            unit,
            unit_price,
            monthly: unit_price.map(|p| to_the_cent(p * quantity * hours)),
        });
    };
    let nat = count("AWS::EC2::NatGateway");
    add(
        noun(nat, "NAT gateway", "NAT gateways"),
        nat,
        "hour",
        |p| p.nat_gateway_hour,
        true,
    );
    add(
        noun(
            count("AWS::EC2::EIP"),
            "public IPv4 address (the NAT gateway's Elastic IP)",
            "public IPv4 addresses (the NAT gateways' Elastic IPs)",
        ),
        count("AWS::EC2::EIP"),
        "hour",
        |p| p.public_ipv4_hour,
        true,
    );
    let interface = plan.network.as_ref().and_then(|n| {
        n.interface_endpoints
            .as_ref()
            .map(|(_, services)| (services.len() as u64, n.azs.len() as u64))
    });
    if let Some((services, azs)) = interface {
        add(
            format!("interface endpoint-AZs ({services} services in {azs} AZs)"),
            services * azs,
            "endpoint-AZ hour",
            |p| p.interface_endpoint_az_hour,
            true,
        );
    }
    add(
        noun(
            count("AWS::KMS::Key"),
            "KMS key (rotated yearly: each of its first two rotations adds a key-month)",
            "KMS keys (rotated yearly: each of a key's first two rotations adds a key-month)",
        ),
        count("AWS::KMS::Key"),
        "key-month",
        |p| p.kms_key_month,
        false,
    );
    add(
        noun(
            count("AWS::CloudWatch::Alarm"),
            "CloudWatch alarm",
            "CloudWatch alarms",
        ),
        count("AWS::CloudWatch::Alarm"),
        "alarm-month",
        |p| p.alarm_month,
        false,
    );
    // Every global secondary index of a provisioned table gets the table's capacity.
    let (rcu, wcu) = plan
        .components
        .iter()
        .fold((0, 0), |(r, w), c| match &c.plan {
            ComponentPlan::Table(t) => match t.capacity {
                Capacity::Provisioned(p) => {
                    let copies = 1 + t.indexes.len() as u64;
                    (
                        r + copies * u64::from(p.read),
                        w + copies * u64::from(p.write),
                    )
                }
                Capacity::OnDemand => (r, w),
            },
            _ => (r, w),
        });
    add(
        "DynamoDB provisioned read capacity of tables and their indexes (the autoscaling floor)"
            .into(),
        rcu,
        "RCU-hour",
        |p| p.dynamodb_rcu_hour,
        true,
    );
    add(
        "DynamoDB provisioned write capacity of tables and their indexes (the autoscaling floor)"
            .into(),
        wcu,
        "WCU-hour",
        |p| p.dynamodb_wcu_hour,
        true,
    );
    let albs = count("AWS::ElasticLoadBalancingV2::LoadBalancer");
    add(
        noun(
            albs,
            "Application Load Balancer",
            "Application Load Balancers",
        ),
        albs,
        "hour",
        |p| p.alb_hour,
        true,
    );
    // An internet-facing load balancer has a public IPv4 address in each of its AZs.
    let azs = plan.network.as_ref().map_or(0, |n| n.azs.len() as u64);
    add(
        "public IPv4 addresses of the load balancers (one in each AZ)".into(),
        albs * azs,
        "hour",
        |p| p.public_ipv4_hour,
        true,
    );
    for c in &plan.components {
        match &c.plan {
            ComponentPlan::Service(s) => {
                let unit_price = prices.as_ref().map(|p| {
                    (u64::from(s.cpu) * p.fargate_vcpu_hour
                        + u64::from(s.memory) * p.fargate_gb_hour)
                        / 1024
                });
                fixed.push(Fixed {
                    what: format!(
                        "Fargate tasks of service {} ({} CPU units, {} MiB; the desired count)",
                        c.name, s.cpu, s.memory
                    ),
                    quantity: u64::from(s.count),
                    unit: "task-hour",
                    unit_price,
                    monthly: unit_price
                        .map(|p| to_the_cent(p * u64::from(s.count) * HOURS_PER_MONTH)),
                });
            }
            ComponentPlan::Database(d) => {
                let copies = if d.multi_az { 2 } else { 1 };
                if let Some(class) = &d.instance_class {
                    let unit_price = prices.as_ref().and_then(|p| {
                        p.rds_instance_hours
                            .iter()
                            .find(|(k, _)| k == class)
                            .map(|(_, h)| *h)
                    });
                    fixed.push(Fixed {
                        what: format!(
                            "{class} instance-hours of database {}{}",
                            c.name,
                            if d.multi_az { " and its standby" } else { "" }
                        ),
                        quantity: copies,
                        unit: "instance-hour",
                        unit_price,
                        monthly: unit_price.map(|p| to_the_cent(p * copies * HOURS_PER_MONTH)),
                    });
                    let gb = u64::from(d.storage_gb.unwrap_or(20)) * copies;
                    let unit_price = prices.as_ref().map(|p| p.rds_gp3_gb_month);
                    fixed.push(Fixed {
                        what: format!(
                            "GB of gp3 storage of database {}{}",
                            c.name,
                            if d.multi_az { " and its standby" } else { "" }
                        ),
                        quantity: gb,
                        unit: "GB-month",
                        unit_price,
                        monthly: unit_price.map(|p| to_the_cent(p * gb)),
                    });
                }
                if let Some(capacity) = d.capacity {
                    let instances = copies;
                    let unit_price = prices
                        .as_ref()
                        .map(|p| (capacity.min * p.aurora_acu_hour as f64) as u64);
                    fixed.push(Fixed {
                        what: format!(
                            "Aurora Serverless v2 instances of database {} at their least capacity ({} ACUs)",
                            c.name, capacity.min
                        ),
                        quantity: instances,
                        unit: "instance-hour",
                        unit_price,
                        monthly: unit_price.map(|p| to_the_cent(p * instances * HOURS_PER_MONTH)),
                    });
                }
            }
            _ => {}
        }
    }
    // A line without a price (an instance class the table lacks) leaves the total out rather
    // than understate it.
    let fixed_total = prices
        .as_ref()
        .filter(|_| fixed.iter().all(|f| f.monthly.is_some()))
        .map(|_| fixed.iter().filter_map(|f| f.monthly).sum());
    Estimate {
        region: plan.region.name,
        priced: prices.is_some(),
        fixed,
        fixed_total,
        usage: usage(plan, inv, prices.as_ref()),
    }
}

/// An amount in millionths of a dollar, rounded to the cent (half up), as a bill shows it.
pub fn to_the_cent(micros: u64) -> u64 {
    (micros + 5_000) / 10_000 * 10_000
}

/// `one` or `many`, as `n` says.
fn noun(n: u64, one: &str, many: &str) -> String {
    if n == 1 { one } else { many }.to_string()
}

/// The usage-priced parts of what the blueprint creates, with their unit prices.
fn usage(plan: &Plan, inv: &inventory::Inventory, prices: Option<&Prices>) -> Vec<Usage> {
    let has = |ty: &str| inv.contains_key(ty);
    let any = |f: &dyn Fn(&ComponentPlan) -> bool| plan.components.iter().any(|c| f(&c.plan));
    let on_demand =
        any(&|c| matches!(c, ComponentPlan::Table(t) if matches!(t.capacity, Capacity::OnDemand)));
    let arm =
        any(&|c| matches!(c, ComponentPlan::Function(f) if f.architecture == Architecture::Arm64));
    let x86 =
        any(&|c| matches!(c, ComponentPlan::Function(f) if f.architecture == Architecture::X86_64));
    let standard_queue = any(&|c| matches!(c, ComponentPlan::Queue(q) if !q.fifo));
    let fifo_queue = any(&|c| matches!(c, ComponentPlan::Queue(q) if q.fifo));
    let interface = plan
        .network
        .as_ref()
        .is_some_and(|n| n.interface_endpoints.is_some());
    let traced = has("AWS::Lambda::Function")
        || has("AWS::StepFunctions::StateMachine")
        || has("AWS::ApiGateway::RestApi");
    let glue = has("AWS::Glue::Job") || has("AWS::Glue::Crawler");
    type Item = (bool, &'static str, &'static str, fn(&Prices) -> u64);
    let items: [Item; 27] = [
        (
            has("AWS::ElasticLoadBalancingV2::LoadBalancer"),
            "load balancer capacity units (new connections, active connections, bytes, rule evaluations)",
            "LCU-hour",
            |p| p.alb_lcu_hour,
        ),
        (
            has("AWS::EC2::NatGateway"),
            "data through the NAT gateways",
            "GB",
            |p| p.nat_gateway_gb,
        ),
        (
            interface,
            "data through the interface endpoints",
            "GB",
            |p| p.interface_endpoint_gb,
        ),
        (has("AWS::Logs::LogGroup"), "log data ingested", "GB", |p| {
            p.logs_ingest_gb
        }),
        (
            has("AWS::Logs::LogGroup"),
            "log data stored",
            "GB-month",
            |p| p.logs_storage_gb_month,
        ),
        (
            has("AWS::KMS::Key"),
            "KMS requests",
            "10,000 requests",
            |p| p.kms_requests_10k,
        ),
        (
            has("AWS::S3::Bucket"),
            "S3 Standard storage",
            "GB-month",
            |p| p.s3_standard_gb_month,
        ),
        (
            has("AWS::S3::Bucket"),
            "S3 PUT, COPY, POST and LIST requests",
            "1,000 requests",
            |p| p.s3_put_thousand,
        ),
        (
            has("AWS::S3::Bucket"),
            "S3 GET requests",
            "1,000 requests",
            |p| p.s3_get_thousand,
        ),
        (
            on_demand,
            "DynamoDB on-demand writes",
            "million write request units",
            |p| p.dynamodb_write_million,
        ),
        (
            on_demand,
            "DynamoDB on-demand reads",
            "million read request units",
            |p| p.dynamodb_read_million,
        ),
        (
            has("AWS::DynamoDB::Table"),
            "DynamoDB storage",
            "GB-month",
            |p| p.dynamodb_storage_gb_month,
        ),
        (
            has("AWS::DynamoDB::Table"),
            "DynamoDB point-in-time recovery",
            "GB-month",
            |p| p.dynamodb_pitr_gb_month,
        ),
        (
            has("AWS::Lambda::Function"),
            "Lambda requests",
            "million requests",
            |p| p.lambda_requests_million,
        ),
        (arm, "Lambda compute on arm64", "million GB-seconds", |p| {
            p.lambda_arm_gb_second_million
        }),
        (x86, "Lambda compute on x86_64", "million GB-seconds", |p| {
            p.lambda_x86_gb_second_million
        }),
        (
            traced,
            "X-Ray traces recorded (tracing is on)",
            "million traces",
            |p| p.xray_traces_million,
        ),
        (
            has("AWS::ApiGateway::RestApi"),
            "REST API requests",
            "million requests",
            |p| p.api_rest_million,
        ),
        (
            has("AWS::ApiGatewayV2::Api"),
            "HTTP API requests",
            "million requests",
            |p| p.api_http_million,
        ),
        (
            has("AWS::Cognito::UserPool"),
            "Cognito users (Plus feature plan)",
            "monthly active user",
            |p| p.cognito_plus_mau,
        ),
        (
            has("AWS::SNS::Topic"),
            "SNS publishes",
            "million requests",
            |p| p.sns_publish_million,
        ),
        (standard_queue, "SQS requests", "million requests", |p| {
            p.sqs_requests_million
        }),
        (fifo_queue, "SQS FIFO requests", "million requests", |p| {
            p.sqs_fifo_requests_million
        }),
        (
            has("AWS::StepFunctions::StateMachine"),
            "Step Functions state transitions",
            "1,000 transitions",
            |p| p.sfn_transitions_thousand,
        ),
        (
            has("AWS::Scheduler::Schedule"),
            "EventBridge Scheduler invocations",
            "million invocations",
            |p| p.scheduler_invocations_million,
        ),
        (
            glue,
            "Glue job and crawler runs, scheduled ones too, whether there is data or not (a job run is billed for 1 minute at least, a crawler run for 10)",
            "DPU-hour",
            |p| p.glue_dpu_hour,
        ),
        (
            has("AWS::Athena::WorkGroup"),
            "Athena data scanned",
            "TB",
            |p| p.athena_tb,
        ),
    ];
    items
        .into_iter()
        .filter(|(on, ..)| *on)
        .map(|(_, what, unit, price)| Usage {
            what,
            unit,
            price: prices.map(price),
        })
        .collect()
}

/// `micros` millionths of a dollar as dollars, to the cent (a month's amount).
pub fn dollars(micros: u64) -> String {
    let cents = (micros + 5_000) / 10_000;
    format!(
        "${}.{:02}",
        crate::plan::thousands(cents / 100),
        cents % 100
    )
}

/// A unit price as written in the price list: exact, with at least two decimals (`$1.00`,
/// `$0.045`, `$0.00065`, `$13.3334`).
pub fn price(micros: u64) -> String {
    let text = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len());
    format!("${trimmed}{}", "0".repeat(2usize.saturating_sub(decimals)))
}

impl Estimate {
    /// The estimate as `cloudwright plan` prints it.
    pub fn report(&self) -> String {
        let mut out = String::from("Cost estimate");
        if !self.priced {
            out.push_str(&format!(
                ": cloudwright has no prices for {} (only for {}), so here is what costs money, without the dollars\n",
                self.region,
                PRICED.iter().map(|(r, _)| *r).collect::<Vec<_>>().join(", ")
            ));
        } else {
            out.push_str(&format!(" in {} ({SOURCE}):\n", self.region));
        }
        match self.fixed_total {
            Some(total) => out.push_str(&format!(
                "  fixed: {} a month before anything is used\n",
                dollars(total)
            )),
            None if self.fixed.is_empty() => {}
            None if self.priced => {
                out.push_str("  fixed every month (a line without a price leaves the total out):\n")
            }
            None => out.push_str("  fixed every month:\n"),
        }
        if self.fixed.is_empty() {
            out.push_str("  fixed: nothing costs money just by existing\n");
        }
        for f in &self.fixed {
            let priced = match (f.unit_price, f.monthly) {
                (Some(p), Some(m)) => format!(" x {} per {} = {}", price(p), f.unit, dollars(m)),
                _ => String::new(),
            };
            out.push_str(&format!("    {} {}{priced}\n", f.quantity, f.what));
        }
        if !self.usage.is_empty() {
            out.push_str("  and with use:\n");
            for u in &self.usage {
                match u.price {
                    Some(p) => {
                        out.push_str(&format!("    {}: {} per {}\n", u.what, price(p), u.unit))
                    }
                    None => out.push_str(&format!("    {} (per {})\n", u.what, u.unit)),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_to_the_cent_and_unit_prices_exact() {
        assert_eq!(dollars(32_850_000), "$32.85");
        assert_eq!(dollars(1_000_000), "$1.00");
        assert_eq!(dollars(98_550_000), "$98.55");
        assert_eq!(dollars(1_234_567_890_000), "$1,234,567.89");
        assert_eq!(dollars(4_999), "$0.00");
        assert_eq!(dollars(5_000), "$0.01");
        assert_eq!(price(45_000), "$0.045");
        assert_eq!(price(650), "$0.00065");
        assert_eq!(price(100_000), "$0.10");
        assert_eq!(price(1_000_000), "$1.00");
        assert_eq!(price(13_333_400), "$13.3334");
    }

    #[test]
    fn three_nat_gateways_cost_about_a_hundred_dollars_a_month() {
        // The issue's own anchor: 3 x $0.045 x 730 h.
        assert_eq!(3 * US.nat_gateway_hour * HOURS_PER_MONTH, 98_550_000);
    }
}
