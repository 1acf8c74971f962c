//! `bank convert AMOUNT FROM TO`: one conversion (unary `Convert`).

use std::time::SystemTime;

use bank_proto::v1::ConvertRequest;

use crate::context::Context;
use crate::error::{CliError, exit};
use bank_i18n::tr;

use crate::{format, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The amount, e.g. 100 or 12.50 (12,50 in French). A negative number
    /// is read as an amount (and refused as one), not as an option.
    #[arg(allow_negative_numbers = true, value_parser = format::amount_arg)]
    amount: String,
    /// Currency of the amount (ISO 4217, any case).
    from: String,
    /// Currency to convert into.
    to: String,
    /// A request id to send and see echoed back.
    #[arg(long)]
    id: Option<String>,
    /// Price the conversion at the tick of this past instant: RFC 3339, or
    /// a duration ago such as 90m or 7d.
    #[arg(long, value_parser = format::instant_input)]
    at: Option<SystemTime>,
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let connection = context.connect().await?;
    let lang = messages.lang();
    let request = ConvertRequest {
        amount: format::amount_input(lang, &args.amount),
        from_currency: format::code_input(&args.from),
        to_currency: format::code_input(&args.to),
        request_id: args.id.unwrap_or_default(),
        at: args.at.map(Into::into),
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
