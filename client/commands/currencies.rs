//! `bank currencies`: the supported currencies (unary `ListCurrencies`).

use bank_service::proto::v1::ListCurrenciesRequest;
use serde_json::json;

use crate::connect::Connection;
use crate::error::{CliError, exit};
use bank_service::i18n::Messages;
use bank_service::tr;

use crate::output;

pub async fn run(connection: &Connection, messages: &Messages, as_json: bool) -> Result<u8, CliError> {
    let currencies = connection
        .call_unary(ListCurrenciesRequest {}, |mut client, request| async move {
            client.list_currencies(request).await
        })
        .await?
        .currencies;

    if as_json {
        let list: Vec<_> = currencies
            .iter()
            .map(|c| json!({ "code": c.code, "name": c.name, "minor_units": c.minor_units }))
            .collect();
        output::json(&json!(list))?;
        return Ok(exit::SUCCESS);
    }
    let mut rows = vec![vec![
        tr!(messages, "currencies-code"),
        tr!(messages, "currencies-name"),
        tr!(messages, "currencies-minor-units"),
    ]];
    rows.extend(
        currencies
            .iter()
            .map(|c| vec![c.code.clone(), c.name.clone(), c.minor_units.to_string()]),
    );
    for line in output::table(&rows) {
        output::line(line)?;
    }
    Ok(exit::SUCCESS)
}
