//! Measures the latency distribution of `rank`, not just its mean: for each office size, warms
//! up, then times 2,000 separate calls for a typical need and prints p50 / p99 / max.
//! Run: `cargo run --release -p lacznik-matching --example latency [-- SIZE…]`.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use lacznik_matching::rank;

#[path = "../benches/synth/mod.rs"]
mod synth;

const SIZES: [usize; 3] = [1_000, 10_000, 50_000];
const WARM_UP: usize = 200;
const RUNS: usize = 2_000;

fn main() {
    println!(
        "{:>8} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "size", "need", "eligible", "p50 µs", "p99 µs", "max µs"
    );
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if args.is_empty() {
        SIZES.to_vec()
    } else {
        args
    };
    for size in sizes {
        let office = synth::office(size, 2026);
        for (name, criteria) in [
            ("once 2h", synth::typical_need(&office)),
            ("weekly", synth::weekly_need(&office)),
        ] {
            let mut eligible = 0;
            for _ in 0..WARM_UP {
                eligible =
                    black_box(rank(black_box(&criteria), &office.candidates, &office.map)).eligible;
            }
            let mut micros: Vec<f64> = (0..RUNS)
                .map(|_| {
                    let started = Instant::now();
                    black_box(rank(black_box(&criteria), &office.candidates, &office.map));
                    started.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            micros.sort_by(f64::total_cmp);
            let at = |q: f64| micros[((RUNS as f64 * q).ceil() as usize).clamp(1, RUNS) - 1];
            println!(
                "{size:>8} {name:>10} {eligible:>9} {:>9.0} {:>9.0} {:>9.0}",
                at(0.50),
                at(0.99),
                micros[RUNS - 1]
            );
        }
        println!("         ({})", synth::describe(&office));
    }
}
