//! Cost of the two things every login and every request pay: argon2id (login) and access-token
//! verification (each request at the gateway and again in the service).
//! Run: `cargo bench -p lacznik-auth`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lacznik_auth::{Role, SigningKeyPair, TokenSigner, TokenVerifier, password};
use secrecy::SecretString;

fn passwords(c: &mut Criterion) {
    let secret = SecretString::from("Wolontariat-Kielce-2026");
    let phc = password::hash(&secret).unwrap();
    let mut group = c.benchmark_group("argon2id m=19MiB t=2 p=1");
    group.sample_size(20);
    group.bench_function("hash", |b| {
        b.iter(|| password::hash(black_box(&secret)).unwrap())
    });
    group.bench_function("verify", |b| {
        b.iter(|| password::verify(black_box(&secret), &phc))
    });
    group.finish();
}

fn tokens(c: &mut Criterion) {
    let pair = SigningKeyPair::generate();
    let signer = TokenSigner::new(&pair, Duration::from_secs(900)).unwrap();
    let verifier = TokenVerifier::for_pair(&pair).unwrap();
    let tenant = Some((lacznik_types::TenantId::new(), "kielce".to_owned()));
    let (token, _) = signer
        .sign(
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            tenant.clone(),
            vec![Role::Coordinator],
            None,
            None,
        )
        .unwrap();
    let mut group = c.benchmark_group("access token EdDSA");
    group.bench_function("sign", |b| {
        b.iter(|| {
            signer.sign(
                uuid::Uuid::now_v7(),
                uuid::Uuid::now_v7(),
                tenant.clone(),
                vec![Role::Coordinator],
                None,
                None,
            )
        })
    });
    group.bench_function("verify", |b| {
        // A fresh verifier each time: the signature is checked, nothing is remembered.
        b.iter_batched(
            || TokenVerifier::for_pair(&pair).unwrap(),
            |fresh| fresh.verify(black_box(&token)).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("verify, remembered", |b| {
        verifier.verify(&token).unwrap();
        b.iter(|| verifier.verify(black_box(&token)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, passwords, tokens);
criterion_main!(benches);
