//! `kind: service` — a container on ECS Fargate behind an Application Load Balancer, in the
//! blueprint's network: the load balancer in an inbound tier (HTTPS with a certificate, HTTP
//! redirected to it), the tasks in a private tier with no public IP, security groups chained
//! from the load balancer to the tasks to the databases they connect to, secrets injected from
//! Secrets Manager or SSM, logs to an encrypted group, a deployment circuit breaker, and
//! target-tracking autoscaling.

pub mod rules;
pub mod view;

use indexmap::IndexMap;
use serde::Deserialize;

use super::function::{EnvName, EnvValue};
use super::{Access, Kind, Wanted};
use crate::blueprint::types::{Environment, RetentionDays, TierName};

/// The CPU and memory pairs Fargate runs: for each CPU size (in units, 1024 to a vCPU), the
/// least and most memory (MiB) and the step between.
pub const FARGATE: &[(u32, u32, u32, u32)] = &[
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// Whether Fargate runs a task of `cpu` units and `memory` MiB.
pub fn fargate_fits(cpu: u32, memory: u32) -> bool {
    FARGATE.iter().any(|&(c, least, most, step)| {
        c == cpu
            && (least..=most).contains(&memory)
            && (memory - least).is_multiple_of(step)
            // 256 units take 512 MiB, 1 GiB or 2 GiB: not 1.5 GiB.
            && !(c == 256 && memory == 1536)
    })
}

/// How the service's load balancer is reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// HTTPS on 443 with the certificate the deployment is given; HTTP on 80 redirects to it.
    #[default]
    Https,
    /// Plain HTTP on 80: for development only (rule SEC005 elsewhere).
    Http,
}

/// The load balancer's settings.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// The tier (routed to the internet gateway) whose subnets hold the load balancer.
    pub tier: TierName,
    #[serde(default)]
    pub protocol: Protocol,
    /// The path the target group checks each task on: `/` when not given.
    #[serde(default)]
    pub health_check: Option<String>,
}

/// Target-tracking autoscaling of the tasks.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    /// The fewest tasks: the desired count when not given.
    #[serde(default)]
    pub min: Option<u32>,
    /// The most tasks.
    pub max: u32,
    /// Average CPU use to keep the tasks near: 60% when not given.
    #[serde(default)]
    pub cpu_percent: Option<u32>,
    /// Requests a minute per task to keep near, through the load balancer: off when not given.
    #[serde(default)]
    pub requests_per_target: Option<u32>,
}

/// How a service uses another component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceUse {
    /// Open connections to a database: its security group admits the tasks on its port, and
    /// the task gets its address and the master secret.
    Connect,
}

/// `kind: service`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The container image: a repository and a tag or digest
    /// (`public.ecr.aws/nginx/nginx-unprivileged:stable-alpine`).
    pub image: String,
    /// The port the container listens on: 8080 when not given.
    #[serde(default)]
    pub port: Option<u16>,
    /// CPU units of a task (1024 to a vCPU): 256 when not given.
    #[serde(default)]
    pub cpu: Option<u32>,
    /// Memory of a task, in MiB: 512 when not given. Fargate runs only some pairs (rule
    /// REL009 names them).
    #[serde(default)]
    pub memory: Option<u32>,
    /// Tasks to run: one per AZ when not given, spread over them.
    #[serde(default)]
    pub count: Option<u32>,
    /// The tier (not routed to the internet gateway) whose subnets hold the tasks.
    pub tier: TierName,
    pub load_balancer: LoadBalancer,
    #[serde(default)]
    pub autoscaling: Option<Autoscaling>,
    /// Environment variables: plain text, or `{ secret: <name or ARN> }` / `{ parameter: <name> }`,
    /// which ECS injects when the task starts (the value is in no template or state).
    #[serde(default)]
    pub environment: IndexMap<EnvName, EnvValue>,
    /// The user the container runs as (`101`, `app:app`): the image's when not given.
    #[serde(default)]
    pub user: Option<String>,
    /// The container's root filesystem is read-only unless `false`.
    #[serde(default = "super::yes")]
    pub read_only_root_filesystem: bool,
    /// Paths the container writes to under a read-only root (`/tmp`): each gets a volume of the
    /// task's own.
    #[serde(default)]
    pub writable: Vec<String>,
    /// The components the service uses, by name: `connect` to a database.
    #[serde(default)]
    pub uses: IndexMap<String, ServiceUse>,
    /// A topic that hears the alarms on the service's 5xx rate, response time, unhealthy tasks,
    /// CPU and memory.
    #[serde(default)]
    pub alarms: Option<String>,
    /// Days the container's logs are kept: 365 in production, 30 elsewhere when not given.
    #[serde(default)]
    pub log_retention_days: Option<RetentionDays>,
}

pub type Spec = Service;

impl Service {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        let mut out: Vec<Wanted> = self
            .uses
            .keys()
            .map(|name| Wanted {
                field: format!("{at}.uses.{name}"),
                name: name.clone(),
                part: None,
                expect: &[Kind::Database],
                access: Access::Connect,
                what: "a service connects to",
            })
            .collect();
        if let Some(t) = &self.alarms {
            out.push(Wanted::alarms(at, t));
        }
        out
    }

    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        let image_ok = !self.image.is_empty()
            && self.image.len() <= 255
            && self
                .image
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "./:@-_".contains(c))
            && (self.image.contains('@')
                || self
                    .image
                    .rsplit('/')
                    .next()
                    .is_some_and(|last| last.contains(':')));
        if !image_ok {
            problems.push(doc.error(
                &format!("{at}.image"),
                format!("`{}` is not a container image with a tag or digest", self.image),
                "give a repository and a tag, for example `public.ecr.aws/nginx/nginx-unprivileged:stable-alpine`",
            ));
        }
        for (name, value) in &self.environment {
            if let EnvValue::Secret(secret) = value
                && !secret.starts_with("arn:")
            {
                problems.push(doc.error(
                    &format!("{at}.environment.{name}.secret"),
                    format!("ECS injects a Secrets Manager secret by its full ARN, not by the name `{secret}`"),
                    "give the secret's ARN, with the six characters Secrets Manager added to its name (`aws secretsmanager describe-secret --secret-id <name>` shows it)",
                ));
            }
        }
        if self.port == Some(0) {
            problems.push(doc.error(
                &format!("{at}.port"),
                "port 0 is no port a container listens on",
                "give 1 to 65535, for example 8080",
            ));
        }
        if self.count == Some(0) || self.count.is_some_and(|c| c > 1000) {
            problems.push(doc.error(
                &format!("{at}.count"),
                "a service runs 1 to 1000 tasks",
                "give 1 or more (one per AZ spreads them)",
            ));
        }
        if let Some(a) = self.autoscaling {
            let min = a.min.or(self.count).unwrap_or(1);
            if a.max < min.max(1) || a.max > 1000 {
                problems.push(doc.error(
                    &format!("{at}.autoscaling.max"),
                    format!(
                        "autoscaling needs a `max` of {} to 1000, not {}",
                        min.max(1),
                        a.max
                    ),
                    "give a `max` at least the fewest tasks",
                ));
            }
            if let Some(p) = a.cpu_percent
                && !(10..=95).contains(&p)
            {
                problems.push(doc.error(
                    &format!("{at}.autoscaling.cpu_percent"),
                    format!("{p}% is no CPU use to scale at"),
                    "give 10 to 95",
                ));
            }
            if a.requests_per_target == Some(0) {
                problems.push(doc.error(
                    &format!("{at}.autoscaling.requests_per_target"),
                    "a target of 0 requests a task cannot be tracked",
                    "give 1 or more requests a minute per task",
                ));
            }
        }
        if let Some(path) = &self.load_balancer.health_check
            && (!path.starts_with('/')
                || path.len() > 1024
                || !path.chars().all(|c| c.is_ascii_graphic()))
        {
            problems.push(doc.error(
                &format!("{at}.load_balancer.health_check"),
                format!("`{path}` is not a path the load balancer can check"),
                "give a path that starts with `/`, for example `/health`",
            ));
        }
        for (i, path) in self.writable.iter().enumerate() {
            if !path.starts_with('/') || !path.chars().all(|c| c.is_ascii_graphic()) {
                problems.push(doc.error(
                    &format!("{at}.writable.{i}"),
                    format!("`{path}` is not an absolute path in the container"),
                    "give a path that starts with `/`, for example `/tmp`",
                ));
            }
        }
        if let Some(user) = &self.user
            && (user.is_empty()
                || !user
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ":_-".contains(c)))
        {
            problems.push(doc.error(
                &format!("{at}.user"),
                format!("`{user}` is not a user the container can run as"),
                "give a user name or ID, optionally with a group: `101`, `app:app`",
            ));
        }
        if let Err(mut e) = super::check_tier(
            &self.tier,
            &format!("{at}.tier"),
            "the service's tasks'",
            doc,
        ) {
            problems.append(&mut e);
        }
        problems.extend(self.check_load_balancer_tier(at, doc));
        problems
    }

    fn check_load_balancer_tier(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let path = format!("{at}.load_balancer.tier");
        let Some(net) = &doc.blueprint.network else {
            return Vec::new();
        };
        match net.tiers.get(&self.load_balancer.tier) {
            None => {
                let names: Vec<&str> = net.tiers.keys().map(|t| t.as_str()).collect();
                let help = match crate::diagnostics::did_you_mean(
                    self.load_balancer.tier.as_str(),
                    names.iter().copied(),
                ) {
                    Some(t) => format!("did you mean `{t}`?"),
                    None => format!("name one of the tiers: {}", names.join(", ")),
                };
                vec![doc.error(
                    &path,
                    format!("there is no tier `{}`", self.load_balancer.tier),
                    help,
                )]
            }
            Some(t) if t.internet != crate::blueprint::types::Internet::Inbound => vec![doc.error(
                &path,
                format!(
                    "tier `{}` does not route to the internet gateway, so an internet-facing load balancer cannot stand in it",
                    self.load_balancer.tier
                ),
                "name a tier with `internet: inbound`",
            )],
            Some(_) if net.azs.count() < 2 => vec![doc.error(
                &path,
                "an Application Load Balancer needs subnets in at least two AZs, and the network has one",
                "give the network two or more AZs (`azs: 2`)",
            )],
            Some(_) => Vec::new(),
        }
    }

    pub fn plan(&self, env: Environment, azs: usize) -> Plan {
        let production = env == Environment::Production;
        let count = self.count.unwrap_or(azs.max(1) as u32);
        Plan {
            image: self.image.clone(),
            port: self.port.unwrap_or(8080),
            cpu: self.cpu.unwrap_or(256),
            memory: self.memory.unwrap_or(512),
            count,
            tier: self.tier.to_string(),
            lb_tier: self.load_balancer.tier.to_string(),
            protocol: self.load_balancer.protocol,
            health_check: self
                .load_balancer
                .health_check
                .clone()
                .unwrap_or_else(|| "/".into()),
            autoscaling: self.autoscaling.map(|a| ScalingPlan {
                min: a.min.unwrap_or(count),
                max: a.max,
                cpu_percent: a.cpu_percent.unwrap_or(60),
                requests_per_target: a.requests_per_target,
            }),
            environment: self
                .environment
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            user: self.user.clone(),
            read_only_root_filesystem: self.read_only_root_filesystem,
            writable: self.writable.clone(),
            log_retention_days: self
                .log_retention_days
                .map_or(if production { 365 } else { 30 }, |d| d.0),
            deletion_protection: production,
            retain_logs: production,
        }
    }
}

/// Autoscaling, resolved.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ScalingPlan {
    pub min: u32,
    pub max: u32,
    pub cpu_percent: u32,
    pub requests_per_target: Option<u32>,
}

/// A service, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub image: String,
    pub port: u16,
    pub cpu: u32,
    pub memory: u32,
    pub count: u32,
    pub tier: String,
    pub lb_tier: String,
    pub protocol: Protocol,
    pub health_check: String,
    pub autoscaling: Option<ScalingPlan>,
    pub environment: Vec<(String, EnvValue)>,
    pub user: Option<String>,
    pub read_only_root_filesystem: bool,
    pub writable: Vec<String>,
    pub log_retention_days: u32,
    /// The load balancer refuses deletion (production).
    pub deletion_protection: bool,
    pub retain_logs: bool,
}

/// The alarms a service raises when it has a topic for them, by name.
pub const ALARMS: &[&str] = &[
    "error-rate",
    "response-time",
    "unhealthy-tasks",
    "cpu",
    "memory",
];

/// A private ECR repository an image is pulled from.
pub struct EcrRepository {
    pub account: String,
    pub region: String,
    pub name: String,
}

/// The private ECR repository of `image` (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1`),
/// if it is in one; public images (ECR Public, Docker Hub) need no permission to pull.
pub fn ecr_repository(image: &str) -> Option<EcrRepository> {
    let (host, path) = image.split_once('/')?;
    let mut parts = host.split('.');
    let account = parts.next()?;
    if parts.next()? != "dkr" || parts.next()? != "ecr" {
        return None;
    }
    let region = parts.next()?;
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let name = path.split(['@', ':']).next()?;
    Some(EcrRepository {
        account: account.to_string(),
        region: region.to_string(),
        name: name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_runs_exactly_its_documented_pairs() {
        for (cpu, memory) in [
            (256, 512),
            (256, 2048),
            (512, 4096),
            (1024, 3072),
            (4096, 30720),
            (8192, 20480),
            (16384, 122880),
        ] {
            assert!(fargate_fits(cpu, memory), "{cpu}/{memory}");
        }
        for (cpu, memory) in [
            (256, 1536),
            (256, 4096),
            (512, 512),
            (1024, 1536),
            (8192, 18432),
            (300, 1024),
            (16384, 131072),
        ] {
            assert!(!fargate_fits(cpu, memory), "{cpu}/{memory}");
        }
    }

    #[test]
    fn only_a_private_ecr_image_names_a_repository() {
        let r =
            ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.2").unwrap();
        assert_eq!(
            (r.account.as_str(), r.region.as_str(), r.name.as_str()),
            ("123456789012", "eu-west-1", "team/web")
        );
        let r = ecr_repository("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web@sha256:ab")
            .unwrap();
        assert_eq!(r.name, "web");
        for public in [
            "public.ecr.aws/nginx/nginx:stable",
            "nginx:stable",
            "ghcr.io/org/app:1",
            "1234.dkr.ecr.us-east-1.amazonaws.com/web:1",
        ] {
            assert!(ecr_repository(public).is_none(), "{public}");
        }
    }
}
