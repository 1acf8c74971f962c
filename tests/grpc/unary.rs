//! Unary RPCs: `ListCurrencies` and `Convert`, their numbers and their
//! errors.

use bank_proto::v1::{ConvertRequest, ListCurrenciesRequest};
use harness::TestServer;
use rust_decimal::{Decimal, RoundingStrategy};
use tonic::Code;
use tonic_types::StatusExt;

fn request(amount: &str, from: &str, to: &str) -> ConvertRequest {
    ConvertRequest {
        amount: amount.into(),
        from_currency: from.into(),
        to_currency: to.into(),
        request_id: String::new(),
        at: None,
    }
}

#[tokio::test]
async fn list_currencies_returns_the_sorted_table_with_minor_units() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let currencies = client
        .list_currencies(ListCurrenciesRequest {})
        .await
        .expect("listed")
        .into_inner()
        .currencies;
    assert!(currencies.len() >= 30);
    assert!(currencies.windows(2).all(|w| w[0].code < w[1].code));
    let minor = |code: &str| currencies.iter().find(|c| c.code == code).map(|c| c.minor_units);
    assert_eq!(minor("JPY"), Some(0));
    assert_eq!(minor("USD"), Some(2));
    assert_eq!(minor("KWD"), Some(3));
    assert_eq!(minor("XOF"), Some(0));
}

#[tokio::test]
async fn convert_applies_the_mid_once_rounded_half_to_even() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let mut req = request("100", "USD", "EUR");
    req.request_id = "order-7".into();
    let response = client.convert(req).await.expect("converted").into_inner();
    assert_eq!(response.request_id, "order-7");
    assert_eq!(response.amount, "100.00");
    assert_eq!(
        (response.from_currency.as_str(), response.to_currency.as_str()),
        ("USD", "EUR")
    );
    assert_eq!(response.rate_sequence, harness::PINNED_UNIX_MS / 1_000);
    let time = response.rate_time.expect("rate time");
    assert_eq!(time.seconds as u64 * 1_000, harness::PINNED_UNIX_MS);

    // Anyone can verify the result from the response alone.
    let rate = Decimal::from_str_exact(&response.rate).expect("decimal rate");
    let mut expected =
        (Decimal::from(100) * rate).round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    expected.rescale(2);
    assert_eq!(response.converted_amount, expected.to_string());
}

#[tokio::test]
async fn converted_amounts_carry_exactly_the_target_minor_units() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    for (to, decimals) in [("JPY", 0), ("EUR", 2), ("KWD", 3)] {
        let response = client
            .convert(request("12.34", "USD", to))
            .await
            .expect("converted")
            .into_inner();
        let written = response
            .converted_amount
            .split_once('.')
            .map_or(0, |(_, f)| f.len());
        assert_eq!(written, decimals, "{to}: {}", response.converted_amount);
    }
    let yen = client
        .convert(request("15023", "JPY", "USD"))
        .await
        .expect("converted")
        .into_inner();
    assert_eq!(yen.amount, "15023");
}

#[tokio::test]
async fn the_same_currency_converts_at_exactly_one() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let response = client
        .convert(request("42.5", "EUR", "EUR"))
        .await
        .expect("converted")
        .into_inner();
    assert_eq!(
        Decimal::from_str_exact(&response.rate).expect("rate"),
        Decimal::ONE
    );
    assert_eq!(response.converted_amount, "42.50");
}

#[tokio::test]
async fn bad_input_is_invalid_argument_naming_the_field() {
    let (server, _clock) = TestServer::start_pinned().await;
    let mut client = server.client().await;
    let long_id = "x".repeat(129);
    let cases = [
        (request("", "USD", "EUR"), "amount"),
        (request("1e5", "USD", "EUR"), "amount"),
        (request("-1", "USD", "EUR"), "amount"),
        (request(".5", "USD", "EUR"), "amount"),
        (request("5.", "USD", "EUR"), "amount"),
        (request("007", "USD", "EUR"), "amount"),
        (request("NaN", "USD", "EUR"), "amount"),
        (request("0", "USD", "EUR"), "amount"),
        (request("1.0", "JPY", "EUR"), "amount"),
        (request("1.001", "USD", "EUR"), "amount"),
        (request("1000000000000000", "USD", "EUR"), "amount"),
        (request(&"9".repeat(20_000), "USD", "EUR"), "amount"),
        (request("1", "usd", "EUR"), "from_currency"),
        (request("1", "XXX", "EUR"), "from_currency"),
        (request("1", "USD", ""), "to_currency"),
        (request("1", "USD", "EURO"), "to_currency"),
        (
            ConvertRequest {
                request_id: long_id,
                ..request("1", "USD", "EUR")
            },
            "request_id",
        ),
    ];
    for (req, field) in cases {
        let amount = req.amount.chars().take(20).collect::<String>();
        let status = client.convert(req).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument, "{amount:?}");
        let bad_request = status.get_details_bad_request().expect("BadRequest details");
        assert_eq!(bad_request.field_violations.len(), 1);
        assert_eq!(bad_request.field_violations[0].field, field, "{amount:?}");
        assert!(
            status.message().len() < 300,
            "the message does not echo huge input"
        );
    }
}
