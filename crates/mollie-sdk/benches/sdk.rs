//! The SDK end to end against `mollie-mock` on a loopback port: requests per second of
//! *Get customer* (one at a time, and 16 in flight), and streaming 10 000 payments in pages
//! of 250, with the peak heap memory of that stream beside a stream of 1 000.
//!
//! Run: `cargo bench -p mollie --bench sdk`. The mock runs in this process on its own
//! runtime thread; the client runs on a current-thread runtime. Memory is counted by a global
//! allocator that tracks the heap bytes in use and their peak (it slows `realloc` a little,
//! for every figure of this binary alike). The peak is measured above the bytes in use when
//! the stream starts, so the 11 000 stored payments of the mock are not in it; the mock's own
//! rendering of each page is (like the client, it holds one page at a time).
//!
//! Under `cargo test --benches` (no `--bench` argument) criterion runs each benchmark once,
//! and this file makes 10 times fewer payments, so that the check stays quick.

use std::future::IntoFuture;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::{StreamExt, TryStreamExt};
use mollie_mock::{MockConfig, MockServer};
use mollie_sdk::{CustomerId, Iban, Mollie, Money, NewCustomer, NewMandate, NewPayment};
use peak_alloc::PeakAlloc;
use tokio::runtime::Runtime;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// Payments of the big and the small stream (a tenth of each under `cargo test`).
const BIG: usize = 10_000;
const SMALL: usize = 1_000;
/// The page size of the streams: Mollie's largest.
const PAGE: u32 = 250;
/// How many creates are in flight while setting up.
const SETUP_IN_FLIGHT: usize = 16;

/// Whether criterion measures (`cargo bench` passes `--bench`) or only checks that each
/// benchmark runs (`cargo test --benches`).
fn measuring() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// The mock on a runtime of its own, so that it never waits for the client's thread.
fn start_mock() -> (Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("mock runtime");
    let server = rt
        .block_on(
            MockConfig::new()
                // No request log: it would hold the last 10 000 requests and their bodies.
                .max_logged_requests(0)
                .start(),
        )
        .expect("mock starts");
    (rt, server)
}

/// A customer with a SEPA mandate and `payments` recurring charges, made 16 at a time.
async fn customer_with_payments(mollie: &Mollie, payments: usize) -> CustomerId {
    let customer = mollie
        .customers()
        .create(NewCustomer::new().name("Bench"))
        .await
        .expect("customer");
    let mandate = mollie
        .mandates(&customer.id)
        .create(NewMandate::sepa_direct_debit(
            "Bench",
            Iban::parse("NL55INGB0000000000").expect("iban"),
        ))
        .await
        .expect("mandate");
    let amount = Money::eur("1.00").expect("amount");
    futures::stream::iter(0..payments)
        .map(|n| {
            let charge = NewPayment::recurring(amount.clone(), format!("charge {n}"), &mandate.id);
            mollie
                .customer_payments(&customer.id)
                .create(charge)
                .into_future()
        })
        .buffer_unordered(SETUP_IN_FLIGHT)
        .try_for_each(|_| async { Ok(()) })
        .await
        .expect("payments");
    customer.id
}

/// Streams every payment of `customer` in pages of [`PAGE`]; returns how many there were.
async fn stream_all(mollie: &Mollie, customer: &CustomerId) -> usize {
    mollie
        .customer_payments(customer)
        .list()
        .limit(PAGE)
        .stream()
        .try_fold(0usize, |n, payment| async move {
            std::hint::black_box(&payment);
            Ok(n + 1)
        })
        .await
        .expect("stream")
}

/// The most heap bytes in use above the starting point while streaming `customer`'s
/// payments once.
fn stream_peak(rt: &Runtime, mollie: &Mollie, customer: &CustomerId, expected: usize) -> usize {
    // One stream first, so that lazily made, lasting things (connection pool, TLS-less
    // client state, runtime buffers) are in the baseline rather than in the peak.
    assert_eq!(rt.block_on(stream_all(mollie, customer)), expected);
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    assert_eq!(rt.block_on(stream_all(mollie, customer)), expected);
    HEAP.peak_usage().saturating_sub(base)
}

fn kib(bytes: usize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}

fn bench(c: &mut Criterion) {
    let (big, small) = if measuring() {
        (BIG, SMALL)
    } else {
        (BIG / 10, SMALL / 10)
    };
    let (_mock_rt, mock) = start_mock();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let mollie = Mollie::builder()
        .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")
        .expect("key")
        .base_url(mock.url())
        .build()
        .expect("client");

    let started = std::time::Instant::now();
    let (big_customer, small_customer) = rt.block_on(async {
        (
            customer_with_payments(&mollie, big).await,
            customer_with_payments(&mollie, small).await,
        )
    });
    println!(
        "setup: {} payments created in {:.1} s ({SETUP_IN_FLIGHT} in flight)",
        big + small,
        started.elapsed().as_secs_f64()
    );

    let big_peak = stream_peak(&rt, &mollie, &big_customer, big);
    let small_peak = stream_peak(&rt, &mollie, &small_customer, small);
    println!(
        "peak heap while streaming, above the start: {big} payments: {} ({big_peak} B); \
         {small} payments: {} ({small_peak} B); pages of {PAGE}",
        kib(big_peak),
        kib(small_peak)
    );

    let mut group = c.benchmark_group("sdk");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    group.throughput(Throughput::Elements(1));
    group.bench_function("get_customer", |b| {
        b.iter(|| {
            rt.block_on(mollie.customers().get(&small_customer).into_future())
                .expect("get")
        })
    });

    group.throughput(Throughput::Elements(16));
    group.bench_function("get_customer_16_in_flight", |b| {
        b.iter(|| {
            rt.block_on(
                futures::stream::iter(0..16)
                    .map(|_| mollie.customers().get(&small_customer).into_future())
                    .buffer_unordered(16)
                    .try_for_each(|_| async { Ok(()) }),
            )
            .expect("gets")
        })
    });

    // About 0.1 s an iteration: give its 10 samples the time they need.
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(big as u64));
    group.bench_function(format!("stream_{big}_payments_pages_of_{PAGE}"), |b| {
        b.iter(|| assert_eq!(rt.block_on(stream_all(&mollie, &big_customer)), big))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
