//! What differs between AWS partitions, in one table, and where each region's budget can live.
//!
//! The generated code builds what it can from the partition at deploy time (`${AWS::Partition}`,
//! `${AWS::URLSuffix}`, `data.aws_partition.current`); this table holds what no pseudo-parameter
//! gives: the prefix of VPC endpoint service names, and where AWS Budgets keeps a region's
//! budgets.

use super::region::RegionInfo;

/// One AWS partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`: the second field of every ARN.
    pub name: &'static str,
    /// The DNS suffix of the partition's endpoints and regional service principals
    /// (`${AWS::URLSuffix}`, `data.aws_partition.current.dns_suffix`).
    pub dns_suffix: &'static str,
    /// Interface endpoints whose service name starts with the partition's reverse DNS prefix
    /// (`cn.com.amazonaws.cn-north-1.ecr.api`) instead of `com.amazonaws` (AWS China's
    /// "VPC endpoints" page lists them). Gateway endpoints always use `com.amazonaws`.
    pub reverse_dns_services: &'static [&'static str],
    /// Where this partition's budgets are kept.
    pub budgets: BudgetHome,
}

/// Where AWS Budgets keeps the budgets of an account in a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetHome {
    /// In the account itself: the Budgets API is global within the partition.
    SameAccount,
    /// In the standard (commercial) account the GovCloud account is linked to: GovCloud has no
    /// Budgets API, and its bills are paid there.
    LinkedCommercialAccount,
}

pub const AWS: Partition = Partition {
    name: "aws",
    dns_suffix: "amazonaws.com",
    reverse_dns_services: &[],
    budgets: BudgetHome::SameAccount,
};

pub const AWS_CN: Partition = Partition {
    name: "aws-cn",
    dns_suffix: "amazonaws.com.cn",
    reverse_dns_services: &["ecr.api", "ecr.dkr"],
    budgets: BudgetHome::SameAccount,
};

pub const AWS_US_GOV: Partition = Partition {
    name: "aws-us-gov",
    dns_suffix: "amazonaws.com",
    reverse_dns_services: &[],
    budgets: BudgetHome::LinkedCommercialAccount,
};

/// The region a budget template goes to when the blueprint's own region cannot hold
/// `AWS::Budgets::Budget`: the Budgets API's home region.
pub const BUDGETS_HOME_REGION: &str = "us-east-1";

/// Regions whose CloudFormation registry has `AWS::Budgets::Budget` (cfn-lint 1.58's per-region
/// schemas, November 2026). Elsewhere the budget is a template of its own, deployed in
/// [`BUDGETS_HOME_REGION`]. Sorted.
const BUDGET_RESOURCE_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

impl RegionInfo {
    /// Whether a CloudFormation stack in this region can hold `AWS::Budgets::Budget`.
    pub fn has_budget_resource(&self) -> bool {
        BUDGET_RESOURCE_REGIONS.binary_search(&self.name).is_ok()
    }

    /// The service name of VPC endpoint `service` in this region.
    pub fn endpoint_service_name(&self, service: &str, interface: bool) -> String {
        let p = self.partition;
        let prefix = if interface && p.reverse_dns_services.contains(&service) {
            "cn.com.amazonaws"
        } else {
            "com.amazonaws"
        };
        format!("{prefix}.{}.{service}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::super::region::{REGIONS, find};
    use super::AWS_CN;

    #[test]
    fn budget_regions_are_sorted_known_regions() {
        let list = super::BUDGET_RESOURCE_REGIONS;
        assert!(list.windows(2).all(|w| w[0] < w[1]));
        assert!(list.iter().all(|r| find(r).is_some()), "{list:?}");
    }

    #[test]
    fn partitions_differ_where_aws_says() {
        let cn = find("cn-north-1").unwrap();
        assert_eq!(cn.partition.dns_suffix, "amazonaws.com.cn");
        assert_eq!(
            cn.endpoint_service_name("ecr.dkr", true),
            "cn.com.amazonaws.cn-north-1.ecr.dkr"
        );
        assert_eq!(
            cn.endpoint_service_name("s3", false),
            "com.amazonaws.cn-north-1.s3"
        );
        let gov = find("us-gov-west-1").unwrap();
        assert_eq!(gov.partition.name, "aws-us-gov");
        assert!(!gov.has_budget_resource());
        assert!(!find("eu-north-1").unwrap().has_budget_resource());
        assert!(find("us-east-1").unwrap().has_budget_resource());
        assert!(
            REGIONS
                .iter()
                .all(|r| r.name.starts_with("cn-") == (r.partition == &AWS_CN))
        );
    }
}
