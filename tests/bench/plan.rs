//! Planner benchmark: plans 100, 1,000 and 10,000 subnets in a /8 and reports the median time
//! of repeated runs, fresh and again with the first plan as the lock file (the stable re-plan
//! every later run does). Target: 10,000 subnets in under 10 ms, cost growing roughly linearly.
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

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f();
        samples.push(start.elapsed());
    }
    median(samples)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    println!(
        "{:>8}  {:>10}  {:>10}  {:>16}",
        "subnets", "fresh", "per subnet", "re-plan with lock"
    );
    for subnets in [100, 1_000, 10_000] {
        let req = request(subnets);
        let runs = if subnets >= 10_000 { 31 } else { 101 };
        let first = allocate(&req, None).expect("the benchmark request fits");
        assert_eq!(first.tiers.len(), subnets / AZS);
        let fresh = time(runs, || {
            allocate(&req, None).expect("fits");
        });
        let locked = time(runs, || {
            let again = allocate(&req, Some(&first)).expect("fits");
            assert_eq!(again, first);
        });
        println!(
            "{subnets:>8}  {:>10}  {:>7.0} ns  {:>16}",
            ms(fresh),
            fresh.as_nanos() as f64 / subnets as f64,
            ms(locked)
        );
    }
}
