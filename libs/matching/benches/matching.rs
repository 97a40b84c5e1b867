//! Cost of ranking one need against a whole office, at three office sizes.
//! Run: `cargo bench -p lacznik-matching`. For percentiles rather than means, see
//! `examples/latency.rs`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lacznik_matching::rank;

mod synth;

const SIZES: [usize; 3] = [1_000, 10_000, 50_000];

fn ranking(c: &mut Criterion) {
    for (name, need) in [
        (
            "rank once 2h",
            synth::typical_need as fn(&synth::Office) -> _,
        ),
        ("rank weekly 2x/week", synth::weekly_need),
    ] {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(50)
            .measurement_time(Duration::from_secs(5));
        for size in SIZES {
            let office = synth::office(size, 2026);
            let criteria = need(&office);
            group.throughput(Throughput::Elements(size as u64));
            group.bench_with_input(BenchmarkId::from_parameter(size), &office, |b, office| {
                b.iter(|| {
                    rank(
                        black_box(&criteria),
                        black_box(&office.candidates),
                        &office.map,
                    )
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, ranking);
criterion_main!(benches);
