//! JWT signing cost, to set against `openssl speed rsa2048` (see scripts/bench/run, section 1).

use criterion::{criterion_group, criterion_main, Criterion};
use lakekey::pat_jwt::{sign, PatClaims, DEFAULT_EXPIRATION_SECS};
use lakekey::pem_key::RsaKey;
use lakekey::Secret;

fn bench(c: &mut Criterion) {
    let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-key.pem")).unwrap();
    let key = RsaKey::from_pem(&pem, None).unwrap();
    let pat = Secret::new("a-personal-access-token-of-typical-length-0123456789abcdef");
    let claims = PatClaims { kid: "key1", org_id: "acme", pat: &pat, username: "ANALYST", now: 1_800_000_000, expiration_secs: DEFAULT_EXPIRATION_SECS, valid_from: 0 };
    c.bench_function("pat_jwt_sign_rs256_2048", |b| b.iter(|| sign(&key, std::hint::black_box(&claims)).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
