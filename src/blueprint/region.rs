//! The AWS regions a blueprint may name: their partition, their Availability Zones and the AZ IDs
//! behind them.
//!
//! Sources: AWS "Regions and Availability Zones" (docs.aws.amazon.com/global-infrastructure/
//! latest/regions/aws-availability-zones.html and az-ids.html), with the zone letters each
//! region offers to new accounts; checked December 2026 as far as the docs reach (ca-central-1
//! has `a`, `b` and `d`; ap-northeast-1 has `a`, `c` and `d`). Two regions need a note:
//!
//! - **us-west-1** has two zones for any one account, but three letters exist: older accounts see
//!   two of `a`, `b`, `c`. The table lists `b` and `c` (what new accounts see); an account that
//!   sees `us-west-1a` should list its zones by AZ ID (`usw1-az1`, `usw1-az3`), which mean the
//!   same zone in every account.
//! - **us-east-1** has six zones, but in accounts older than November 2025 the letters map to
//!   different physical zones per account; AZ IDs (`use1-az1` …) are the same everywhere.
//!
//! The AZ count of a region is the length of its list of letters.

use super::partition::{AWS, AWS_CN, AWS_US_GOV, Partition};

/// One region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionInfo {
    pub name: &'static str,
    pub partition: &'static Partition,
    /// How many Availability Zones an account can use: the length of [`RegionInfo::letters`].
    pub azs: u8,
    /// The zone letters, in order: `abcdef` for us-east-1, `acd` for ap-northeast-1. `azs: N`
    /// takes the first N.
    pub letters: &'static str,
    /// The first part of every AZ ID of the region: `use1` for us-east-1 (`use1-az4`).
    pub id_prefix: &'static str,
    /// The numbers of its AZ IDs: `13` for us-west-1 (`usw1-az1`, `usw1-az3`).
    pub id_numbers: &'static str,
}

impl RegionInfo {
    /// The zone names, in order: `us-east-1a`, `us-east-1b`, ….
    pub fn zone_names(&self) -> impl Iterator<Item = String> + '_ {
        self.letters.chars().map(|c| format!("{}{c}", self.name))
    }

    /// The AZ IDs, in order: `use1-az1`, `use1-az2`, ….
    pub fn zone_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.id_numbers
            .chars()
            .map(|n| format!("{}-az{n}", self.id_prefix))
    }

    /// Whether `name` (`us-east-1c`) is a zone of the region.
    pub fn has_zone_name(&self, name: &str) -> bool {
        name.strip_prefix(self.name)
            .is_some_and(|letter| letter.len() == 1 && self.letters.contains(letter))
    }

    /// Whether `id` (`use1-az4`) is an AZ ID of the region.
    pub fn has_zone_id(&self, id: &str) -> bool {
        id.strip_prefix(self.id_prefix)
            .and_then(|rest| rest.strip_prefix("-az"))
            .is_some_and(|n| n.len() == 1 && self.id_numbers.contains(n))
    }
}

const fn region(
    name: &'static str,
    partition: &'static Partition,
    letters: &'static str,
    id_prefix: &'static str,
    id_numbers: &'static str,
) -> RegionInfo {
    RegionInfo {
        name,
        partition,
        azs: letters.len() as u8,
        letters,
        id_prefix,
        id_numbers,
    }
}

/// A region of the `aws` partition with zones `a`, `b`, `c` and AZ IDs 1 to 3.
const fn abc(name: &'static str, id_prefix: &'static str) -> RegionInfo {
    region(name, &AWS, "abc", id_prefix, "123")
}

/// Every region, sorted by name.
pub const REGIONS: &[RegionInfo] = &[
    abc("af-south-1", "afs1"),
    abc("ap-east-1", "ape1"),
    abc("ap-east-2", "ape2"),
    region("ap-northeast-1", &AWS, "acd", "apne1", "124"),
    region("ap-northeast-2", &AWS, "abcd", "apne2", "1234"),
    abc("ap-northeast-3", "apne3"),
    abc("ap-south-1", "aps1"),
    abc("ap-south-2", "aps2"),
    abc("ap-southeast-1", "apse1"),
    abc("ap-southeast-2", "apse2"),
    abc("ap-southeast-3", "apse3"),
    abc("ap-southeast-4", "apse4"),
    abc("ap-southeast-5", "apse5"),
    abc("ap-southeast-6", "apse6"),
    abc("ap-southeast-7", "apse7"),
    region("ca-central-1", &AWS, "abd", "cac1", "124"),
    abc("ca-west-1", "caw1"),
    region("cn-north-1", &AWS_CN, "abd", "cnn1", "124"),
    region("cn-northwest-1", &AWS_CN, "abc", "cnnw1", "123"),
    abc("eu-central-1", "euc1"),
    abc("eu-central-2", "euc2"),
    abc("eu-north-1", "eun1"),
    abc("eu-south-1", "eus1"),
    abc("eu-south-2", "eus2"),
    abc("eu-west-1", "euw1"),
    abc("eu-west-2", "euw2"),
    abc("eu-west-3", "euw3"),
    abc("il-central-1", "ilc1"),
    abc("me-central-1", "mec1"),
    abc("me-south-1", "mes1"),
    abc("mx-central-1", "mxc1"),
    abc("sa-east-1", "sae1"),
    region("us-east-1", &AWS, "abcdef", "use1", "123456"),
    abc("us-east-2", "use2"),
    region("us-gov-east-1", &AWS_US_GOV, "abc", "usge1", "123"),
    region("us-gov-west-1", &AWS_US_GOV, "abc", "usgw1", "123"),
    region("us-west-1", &AWS, "bc", "usw1", "13"),
    region("us-west-2", &AWS, "abcd", "usw2", "1234"),
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

    #[test]
    fn every_region_has_as_many_ids_as_letters_and_unique_id_prefixes() {
        for r in REGIONS {
            assert_eq!(r.letters.len(), r.id_numbers.len(), "{}", r.name);
            assert_eq!(usize::from(r.azs), r.letters.len());
            assert!(r.id_prefix.ends_with(|c: char| c.is_ascii_digit()));
        }
        let mut prefixes: Vec<_> = REGIONS.iter().map(|r| r.id_prefix).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), REGIONS.len());
    }

    #[test]
    fn zones_by_name_and_by_id() {
        let r = find("ap-northeast-1").unwrap();
        let names: Vec<_> = r.zone_names().collect();
        assert_eq!(
            names,
            ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
        );
        assert!(r.has_zone_name("ap-northeast-1d") && !r.has_zone_name("ap-northeast-1b"));
        assert!(r.has_zone_id("apne1-az4") && !r.has_zone_id("apne1-az3"));
        assert!(!r.has_zone_id("use1-az1"));
        assert_eq!(
            find("us-west-1").unwrap().zone_ids().collect::<Vec<_>>(),
            ["usw1-az1", "usw1-az3"]
        );
    }
}
