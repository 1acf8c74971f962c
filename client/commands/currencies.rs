//! `bank currencies`: the supported currencies (unary `ListCurrencies`).
//!
//! The server names currencies in English (ISO 4217's names); the table
//! shows each in the user's language from the catalogs
//! (`currency-name-<CODE>`), and the server's name for a code the catalogs
//! do not know yet. `--json` prints what the server sent.

use bank_proto::v1::ListCurrenciesRequest;

use crate::context::Context;
use crate::error::{CliError, exit};
use bank_i18n::Messages;
use bank_i18n::tr;

use crate::output;

/// `bank currencies` takes no arguments of its own.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let connection = context.connect().await?;
    let currencies = connection
        .call_unary(ListCurrenciesRequest {}, |mut client, request| async move {
            client.list_currencies(request).await
        })
        .await?
        .currencies;

    if as_json {
        output::json(&currencies)?;
        return Ok(exit::SUCCESS);
    }
    let mut rows = vec![vec![
        tr!(messages, "currencies-code"),
        tr!(messages, "currencies-name"),
        tr!(messages, "currencies-minor-units"),
    ]];
    rows.extend(currencies.iter().map(|c| {
        vec![
            c.code.clone(),
            name(messages, &c.code, &c.name),
            c.minor_units.to_string(),
        ]
    }));
    for line in output::table(&rows) {
        output::line(line)?;
    }
    Ok(exit::SUCCESS)
}

/// The name of currency `code` in the user's language, or `fallback` (the
/// server's) if the catalog has none.
fn name(messages: &Messages, code: &str, fallback: &str) -> String {
    let id = format!("currency-name-{code}");
    if messages.has(&id) {
        messages.format(&id, &[])
    } else {
        fallback.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bank_domain::currency;
    use bank_i18n::Lang;

    #[test]
    fn every_supported_currency_has_a_name_in_every_catalog() {
        for lang in Lang::ALL {
            let messages = Messages::of(lang);
            for currency in currency::all() {
                let id = format!("currency-name-{}", currency.code);
                assert!(messages.has(&id), "{id} missing for {lang:?}");
            }
        }
        let english = Messages::of(Lang::En);
        for currency in currency::all() {
            assert_eq!(
                name(english, currency.code, "?"),
                currency.name,
                "the server's English name"
            );
        }
    }

    #[test]
    fn french_names_are_french_and_unknown_codes_keep_the_servers_name() {
        let french = Messages::of(Lang::Fr);
        assert_eq!(name(french, "USD", "US Dollar"), "Dollar des États-Unis");
        assert_eq!(name(french, "XOF", "CFA Franc BCEAO"), "Franc CFA (BCEAO)");
        assert_eq!(name(french, "KWD", "Kuwaiti Dinar"), "Dinar koweïtien");
        assert_eq!(name(french, "XYZ", "Zed Dollar"), "Zed Dollar");
    }
}
