//! Each environment's VPC block: the one given, or one allocated from the supernet without
//! overlapping the blueprint's other environments, like an offline IPAM pool. An allocated block
//! is recorded in the environment's lock file and kept from then on.

use ipnet::Ipv4Net;

use crate::blueprint::types::VpcAddress;

/// One environment of a blueprint, as far as its VPC block goes.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    /// Its network's address, or `None` when it has no network (or does not load).
    pub address: Option<VpcAddress>,
    /// The block its lock file records.
    pub locked: Option<Ipv4Net>,
    /// It is no longer in the blueprint, but its lock file is still there.
    pub gone: bool,
}

/// The environments of one blueprint, and which of them is being planned.
#[derive(Debug, Clone)]
pub struct Environments {
    pub all: Vec<Environment>,
    pub current: usize,
}

impl Environments {
    /// A blueprint planned on its own: its siblings unknown, its lock file's block `locked`.
    pub fn alone(name: &str, address: Option<VpcAddress>, locked: Option<Ipv4Net>) -> Self {
        Environments {
            all: vec![Environment {
                name: name.to_string(),
                address,
                locked,
                gone: false,
            }],
            current: 0,
        }
    }
}

/// Every environment's block, in their order: given blocks, and the blocks lock files record for
/// a pool (when they still lie in it with the pool's size) or for an environment without a
/// network, are fixed first; then each pool without one takes the lowest free block of its size,
/// in the environments' order. `None` for an environment with neither network nor lock file, or
/// whose pool has no free block left.
pub fn assign(envs: &[Environment]) -> Vec<Option<Ipv4Net>> {
    let mut out: Vec<Option<Ipv4Net>> = envs
        .iter()
        .map(|env| match env.address {
            Some(VpcAddress::Given(c)) => Some(c.0),
            Some(VpcAddress::Pool(pool)) => env
                .locked
                .filter(|l| pool.from.contains(l) && l.prefix_len() == pool.size),
            // No network now (or none that loads): the block its lock file records may still be
            // deployed, so it stays taken.
            None => env.locked,
        })
        .collect();
    for (i, env) in envs.iter().enumerate() {
        let Some(VpcAddress::Pool(pool)) = env.address else {
            continue;
        };
        if out[i].is_some() {
            continue;
        }
        let taken: Vec<Ipv4Net> = out.iter().flatten().copied().collect();
        out[i] = pool.from.subnets(pool.size).ok().and_then(|mut blocks| {
            blocks.find(|b| !taken.iter().any(|t| t.contains(b) || b.contains(t)))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::types::{VpcCidr, VpcPool};

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn pool(env: &str, locked: Option<&str>) -> Environment {
        Environment {
            name: env.to_string(),
            address: Some(VpcAddress::Pool(VpcPool {
                from: net("10.64.0.0/14"),
                size: 16,
            })),
            locked: locked.map(net),
            gone: false,
        }
    }

    #[test]
    fn pools_take_the_lowest_free_block_around_given_and_locked_ones() {
        let given = Environment {
            name: "production".into(),
            address: Some(VpcAddress::Given(VpcCidr(net("10.64.0.0/16")))),
            locked: None,
            gone: false,
        };
        let envs = [
            given,
            pool("staging", None),
            pool("qa", Some("10.66.0.0/16")),
            pool("dev", None),
        ];
        let got = assign(&envs);
        let want = [
            "10.64.0.0/16",
            "10.65.0.0/16",
            "10.66.0.0/16",
            "10.67.0.0/16",
        ];
        assert_eq!(got, want.map(|w| Some(net(w))));
    }

    #[test]
    fn a_lock_outside_the_pool_or_of_another_size_is_not_kept() {
        let envs = [
            pool("a", Some("10.0.0.0/16")),
            pool("b", Some("10.64.0.0/20")),
        ];
        assert_eq!(
            assign(&envs),
            vec![Some(net("10.64.0.0/16")), Some(net("10.65.0.0/16"))]
        );
    }

    #[test]
    fn a_locked_block_stays_taken_while_its_environment_has_no_network() {
        let gone = Environment {
            name: "staging".into(),
            address: None,
            locked: Some(net("10.64.0.0/16")),
            gone: true,
        };
        let envs = [gone, pool("dev", None)];
        assert_eq!(
            assign(&envs),
            vec![Some(net("10.64.0.0/16")), Some(net("10.65.0.0/16"))]
        );
    }

    #[test]
    fn an_exhausted_pool_assigns_nothing() {
        let envs: Vec<Environment> = (0..5).map(|i| pool(&format!("e{i}"), None)).collect();
        let got = assign(&envs);
        assert!(got[..4].iter().all(Option::is_some));
        assert_eq!(got[4], None);
    }
}
