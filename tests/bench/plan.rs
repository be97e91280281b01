//! Planner benchmark: plans 100, 1,000 and 10,000 subnets in a /8 and reports the median time
//! of repeated runs. Target: 10,000 subnets in under 10 ms, cost growing roughly linearly.
//!
//! Run with `cargo bench --bench plan`.

use std::time::{Duration, Instant};

use cloudwright::naming::az_letter;
use cloudwright::plan::alloc::{Request, TierRequest, allocate};

const AZS: usize = 10;

fn request(subnets: usize) -> Request {
    Request {
        vpc: "10.0.0.0/8".parse().expect("a valid CIDR"),
        reserved: vec!["10.255.0.0/16".parse().expect("a valid CIDR")],
        azs: (0..AZS).map(az_letter).collect(),
        tiers: (0..subnets / AZS)
            .map(|i| TierRequest {
                name: format!("tier-{i}"),
                prefix: 22 + (i % 6) as u8,
            })
            .collect(),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    println!("{:>8}  {:>12}  {:>12}", "subnets", "median", "per subnet");
    for subnets in [100, 1_000, 10_000] {
        let req = request(subnets);
        let runs = if subnets >= 10_000 { 31 } else { 101 };
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let allocation = allocate(&req, None).expect("the benchmark request fits");
            samples.push(start.elapsed());
            assert_eq!(allocation.tiers.len(), subnets / AZS);
        }
        let m = median(samples);
        println!(
            "{subnets:>8}  {:>9.3} ms  {:>9.0} ns",
            m.as_secs_f64() * 1e3,
            m.as_nanos() as f64 / subnets as f64
        );
    }
}
