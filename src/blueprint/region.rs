//! The AWS regions a blueprint may name, with their partition and the number of Availability
//! Zones an account can use there (AWS "Regions and Availability Zones", November 2026).

/// One region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionInfo {
    pub name: &'static str,
    pub partition: &'static str,
    pub azs: u8,
}

const fn r(name: &'static str, azs: u8) -> RegionInfo {
    RegionInfo {
        name,
        partition: "aws",
        azs,
    }
}

/// Every region, sorted by name.
pub const REGIONS: &[RegionInfo] = &[
    r("af-south-1", 3),
    r("ap-east-1", 3),
    r("ap-east-2", 3),
    r("ap-northeast-1", 3),
    r("ap-northeast-2", 4),
    r("ap-northeast-3", 3),
    r("ap-south-1", 3),
    r("ap-south-2", 3),
    r("ap-southeast-1", 3),
    r("ap-southeast-2", 3),
    r("ap-southeast-3", 3),
    r("ap-southeast-4", 3),
    r("ap-southeast-5", 3),
    r("ap-southeast-6", 3),
    r("ap-southeast-7", 3),
    r("ca-central-1", 3),
    r("ca-west-1", 3),
    RegionInfo {
        name: "cn-north-1",
        partition: "aws-cn",
        azs: 3,
    },
    RegionInfo {
        name: "cn-northwest-1",
        partition: "aws-cn",
        azs: 3,
    },
    r("eu-central-1", 3),
    r("eu-central-2", 3),
    r("eu-north-1", 3),
    r("eu-south-1", 3),
    r("eu-south-2", 3),
    r("eu-west-1", 3),
    r("eu-west-2", 3),
    r("eu-west-3", 3),
    r("il-central-1", 3),
    r("me-central-1", 3),
    r("me-south-1", 3),
    r("mx-central-1", 3),
    r("sa-east-1", 3),
    r("us-east-1", 6),
    r("us-east-2", 3),
    RegionInfo {
        name: "us-gov-east-1",
        partition: "aws-us-gov",
        azs: 3,
    },
    RegionInfo {
        name: "us-gov-west-1",
        partition: "aws-us-gov",
        azs: 3,
    },
    r("us-west-1", 2),
    r("us-west-2", 4),
];

/// Looks a region up by its exact name.
pub fn find(name: &str) -> Option<&'static RegionInfo> {
    REGIONS
        .binary_search_by(|r| r.name.cmp(name))
        .ok()
        .map(|i| &REGIONS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique_so_binary_search_works() {
        assert!(REGIONS.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(find("eu-west-1").map(|r| r.azs), Some(3));
        assert!(find("eu-west-9").is_none());
    }
}
