//! Micro-benchmarks of the token domain: RS256 signing (the crypto library alone and through
//! [`SigningKey`]), strict verification, customer UUID derivation and a whole token issue.
//!
//! Each benchmark is measured twice:
//! - in wall-clock time (Criterion's default), the usual numbers to compare between changes;
//! - in CPU time of the benchmarking thread (groups named `cpu_*`, `CLOCK_THREAD_CPUTIME_ID`),
//!   which stays steady when other processes share the machine. `bench/run` runs only these
//!   (`cargo bench ... -- cpu_`) and divides the servers' CPU time per token by
//!   `cpu_rs256_sign/aws_lc_rs`.
//!
//! The key is read from the PEM file named by `SYNERISE_AUTH_BENCH_KEY` when it is set (so that
//! `bench/run` measures the very key its servers sign with), otherwise a fresh RSA-2048 key is made.
//!
//! `cargo bench -p synerise-auth-token --bench token` runs them all; results land in
//! `target/criterion/<group>/<name>/new/estimates.json` (nanoseconds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{hint::black_box, time::Duration};

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeyPair, KeySize},
    signature::{self, KeyPair as _, RSA_PKCS1_SHA256, UnparsedPublicKey},
};
use criterion::{
    Criterion, Throughput, criterion_group, criterion_main,
    measurement::{Measurement, ValueFormatter},
};
use synerise_auth_token::{
    CustomerUuid, Email, Issuer, SigningKey, TokenTtl, UnixTime, UuidSalt, Verifier,
};

const EMAIL: &str = "returning.customer@example.com";
const SALT: &str = "bench-salt";
const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

/// One RSA key, both as the crypto library's key pair and as the crate's [`SigningKey`], plus
/// a realistic JWS signing input (`base64url(header).base64url(payload)`) and a token.
struct Fixture {
    pair: KeyPair,
    issuer: Issuer,
    verifier: Verifier,
    email: Email,
    salt: UuidSalt,
    uuid: CustomerUuid,
    signing_input: Vec<u8>,
    token: String,
}

impl Fixture {
    fn new() -> Self {
        // (DER, whether it is PKCS#8 rather than PKCS#1)
        let (der, pkcs8) = match std::env::var_os("SYNERISE_AUTH_BENCH_KEY") {
            Some(path) => {
                let text = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let block = pem::parse(text).expect("SYNERISE_AUTH_BENCH_KEY is not PEM");
                let pkcs8 = match block.tag() {
                    "PRIVATE KEY" => true,
                    "RSA PRIVATE KEY" => false,
                    other => {
                        panic!("SYNERISE_AUTH_BENCH_KEY holds a {other}, not an RSA private key")
                    }
                };
                (block.into_contents(), pkcs8)
            }
            None => {
                let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
                (
                    pair.as_der().expect("PKCS#8 encoding").as_ref().to_vec(),
                    true,
                )
            }
        };
        let pair = if pkcs8 {
            KeyPair::from_pkcs8(&der)
        } else {
            KeyPair::from_der(&der)
        }
        .expect("the crypto library refused the key");
        let key = SigningKey::from_bytes(&der, "bench key").expect("SigningKey refused the key");
        let issuer = Issuer::new(key, None);
        let verifier = Verifier::new(issuer.public_key());
        let email = Email::parse(EMAIL).unwrap();
        let salt = UuidSalt::new(SALT).unwrap();
        let uuid = CustomerUuid::derive(&salt, email.as_str());
        let token = issuer
            .issue(&email, &uuid, TokenTtl::default(), NOW)
            .unwrap()
            .token()
            .to_owned();
        let signing_input = token
            .rsplit_once('.')
            .map(|(input, _)| input.as_bytes().to_vec())
            .unwrap();
        Self {
            pair,
            issuer,
            verifier,
            email,
            salt,
            uuid,
            signing_input,
            token,
        }
    }

    fn bits(&self) -> usize {
        self.pair.public_modulus_len() * 8
    }
}

/// Every benchmark, under group names that start with `prefix`, measured with `M`.
fn token_benches<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let f = Fixture::new();
    let rng = SystemRandom::new();
    let mut sig = vec![0u8; f.pair.public_modulus_len()];
    let signature = {
        let (_, sig) = f.token.rsplit_once('.').unwrap();
        base64_url_decode(sig)
    };
    eprintln!(
        "RSA key: {} bits; signing input: {} bytes",
        f.bits(),
        f.signing_input.len()
    );

    let mut g = c.benchmark_group(format!("{prefix}rs256_sign"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("aws_lc_rs", |b| {
        b.iter(|| {
            f.pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &rng,
                    black_box(&f.signing_input),
                    &mut sig,
                )
                .unwrap();
        });
    });
    g.bench_function("signing_key", |b| {
        let key = f.issuer.signing_key();
        b.iter(|| {
            key.sign_into(black_box(&f.signing_input), &mut sig)
                .unwrap();
        });
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{prefix}rs256_verify"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("aws_lc_rs", |b| {
        let public = UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            f.pair.public_key().as_ref().to_vec(),
        );
        b.iter(|| {
            public
                .verify(black_box(&f.signing_input), black_box(&signature))
                .unwrap();
        });
    });
    g.bench_function("verifier", |b| {
        b.iter(|| f.verifier.verify(black_box(&f.token), NOW).unwrap());
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{prefix}customer_uuid"));
    g.bench_function("derive", |b| {
        b.iter(|| CustomerUuid::derive(&f.salt, black_box(f.email.as_str())));
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{prefix}issue"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("full_token", |b| {
        b.iter(|| {
            f.issuer
                .issue(black_box(&f.email), &f.uuid, TokenTtl::default(), NOW)
                .unwrap()
        });
    });
    g.finish();
}

fn wall_clock(c: &mut Criterion) {
    token_benches(c, "");
}

fn cpu_time(c: &mut Criterion<ThreadCpuTime>) {
    token_benches(c, "cpu_");
}

fn base64_url_decode(text: &str) -> Vec<u8> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// CPU time consumed by the calling thread, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`). Criterion
/// runs the routine on the thread that calls `start` and `end`, so this is the CPU time of the
/// iterations alone, whatever else runs on the machine.
#[derive(Debug, Clone, Copy)]
struct ThreadCpuTime;

fn thread_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    #[allow(clippy::cast_precision_loss)]
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuNanos
    }
}

/// Formats CPU nanoseconds like Criterion formats wall time, with a "cpu" suffix.
#[derive(Debug)]
struct CpuNanos;

impl ValueFormatter for CpuNanos {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if ns < 1e3 {
            (1.0, "ns cpu")
        } else if ns < 1e6 {
            (1e-3, "µs cpu")
        } else if ns < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        for v in values {
            *v *= factor;
        }
        unit
    }

    #[allow(clippy::cast_precision_loss)]
    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per_iter = match *throughput {
            Throughput::Elements(n)
            | Throughput::Bytes(n)
            | Throughput::BytesDecimal(n)
            | Throughput::Bits(n)
            | Throughput::ElementsAndBytes { elements: n, .. } => n as f64,
        };
        for v in values {
            *v = per_iter * 1e9 / *v;
        }
        "per cpu-second"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

criterion_group! {
    name = wall;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = wall_clock
}

criterion_group! {
    name = cpu;
    config = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = cpu_time
}

criterion_main!(wall, cpu);
