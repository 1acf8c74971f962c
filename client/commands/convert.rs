//! `bank convert AMOUNT FROM TO`: one conversion (unary `Convert`).

use bank_proto::v1::ConvertRequest;

use crate::connect::Connection;
use crate::error::{CliError, exit};
use bank_i18n::Messages;
use bank_i18n::tr;

use crate::{format, output};

pub struct Args {
    pub amount: String,
    pub from: String,
    pub to: String,
    pub id: Option<String>,
}

pub async fn run(
    connection: &Connection,
    messages: &Messages,
    as_json: bool,
    args: Args,
) -> Result<u8, CliError> {
    let lang = messages.lang();
    let request = ConvertRequest {
        amount: format::amount_input(lang, &args.amount),
        from_currency: format::code_input(&args.from),
        to_currency: format::code_input(&args.to),
        request_id: args.id.unwrap_or_default(),
    };
    let response = connection
        .call_unary(request, |mut client, request| async move {
            client.convert(request).await
        })
        .await?;

    if as_json {
        output::json(&response)?;
        return Ok(exit::SUCCESS);
    }
    output::line(tr!(
        messages,
        "convert-result",
        amount = format::decimal(lang, &response.amount),
        from = response.from_currency,
        converted = format::decimal(lang, &response.converted_amount),
        to = response.to_currency,
    ))?;
    output::line(tr!(
        messages,
        "convert-rate",
        rate = format::decimal(lang, &response.rate),
        from = response.from_currency,
        to = response.to_currency,
        sequence = response.rate_sequence,
        time = format::time(response.rate_time.as_ref()),
    ))?;
    Ok(exit::SUCCESS)
}
