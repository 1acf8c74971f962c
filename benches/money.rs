//! Micro-benchmarks of the money core: `cargo bench --bench money`.
//!
//! Measures what every conversion costs inside the server, without gRPC:
//! parsing an amount, converting and rounding it, formatting the result,
//! and pricing a tick. The target is under 200 ns for parse + convert +
//! round + format together (see BENCHMARKS.md).

use std::hint::black_box;

use bank_domain::conversion::{ConversionRequest, apply_rate, convert};
use bank_domain::currency;
use bank_domain::money::{Money, round_half_even};
use bank_domain::rates::{Pair, RateSource};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::{Decimal, RoundingStrategy};

const TICK: u64 = 1_790_000_000;

fn money(c: &mut Criterion) {
    let usd = currency::find("USD").expect("USD");
    let eur = currency::find("EUR").expect("EUR");
    let source = RateSource::new(42, 1_000, 20).expect("valid source");
    let snapshot = source.snapshot(source.tick(TICK)).expect("snapshot");
    let pair = Pair::new(usd, eur).expect("pair");
    let rate = snapshot.quote(pair).expect("quote").mid;
    let amount = Money::parse("1234.56", usd).expect("amount");

    c.bench_function("parse amount", |b| {
        b.iter(|| Money::parse(black_box("1234.56"), usd))
    });
    c.bench_function("parse request (amount and both currencies)", |b| {
        b.iter(|| ConversionRequest::parse(black_box("1234.56"), black_box("USD"), black_box("EUR"), ""))
    });
    c.bench_function("convert and round", |b| {
        b.iter(|| apply_rate(black_box(amount), eur, black_box(rate)))
    });
    c.bench_function("round half even", |b| {
        b.iter(|| round_half_even(black_box(1_139_604_512_345), black_box(10)))
    });
    let converted = apply_rate(amount, eur, rate).expect("converted");
    c.bench_function("format amount", |b| b.iter(|| black_box(converted).to_string()));
    c.bench_function("parse + convert + round + format (the whole conversion)", |b| {
        b.iter(|| {
            let request = ConversionRequest::parse(black_box("1234.56"), "USD", "EUR", "").expect("valid");
            let conversion = convert(&request, &snapshot).expect("converted");
            (conversion.amount.to_string(), conversion.converted.to_string())
        })
    });
    c.bench_function("rust_decimal naive: parse, multiply, round, to_string", |b| {
        b.iter(|| {
            let amount: Decimal = black_box("1234.56").parse().expect("decimal");
            (amount * rate)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
                .to_string()
        })
    });
    c.bench_function("quote of a pair, cached in its tick", |b| {
        b.iter(|| snapshot.quote(black_box(pair)))
    });
    c.bench_function("price a tick (every currency)", |b| {
        b.iter(|| {
            source
                .snapshot(source.tick(black_box(TICK)))
                .map(|snapshot| snapshot.tick)
        })
    });
    c.bench_function("compute a quote from scratch (fresh tick)", |b| {
        b.iter(|| {
            let fresh = source.snapshot(source.tick(black_box(TICK))).expect("snapshot");
            fresh.quote(pair).map(|quote| quote.mid)
        })
    });
}

criterion_group!(benches, money);
criterion_main!(benches);
