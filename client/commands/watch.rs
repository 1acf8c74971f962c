//! `bank watch`: the classroom view in a terminal (server streaming
//! `ClassroomService.WatchCalls`, served by `bank-server --classroom`).
//!
//! Every `BankService` call any client makes from now on is shown as it
//! happens: a line when it starts, one arrow per message (`→` from the
//! client, `←` from the server), a line for the client's half-close and
//! one for its end. Each line starts with the call's number and its
//! connection's label (`#12 client 3`), so a call's lines are found
//! together even when calls interleave. `--json` prints each event as the
//! server sent it, one per line. The watch runs until Ctrl-C (exit 0), or
//! until `--calls` calls have ended.

use std::collections::HashMap;

use bank_i18n::{Lang, Messages, tr};
use bank_proto::v1::call_event::Event;
use bank_proto::v1::classroom_service_client::ClassroomServiceClient;
use bank_proto::v1::{
    CallEnded, CallEvent, CallMessage, CallModel, CallStarted, Direction, EndCause, WatchCallsRequest,
};

use crate::context::Context;
use crate::error::{CliError, exit};
use crate::{format, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Stop after this many calls have ended (without it, the watch runs
    /// until Ctrl-C).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    calls: Option<u64>,
}

pub async fn run(args: Args, context: &Context) -> Result<u8, CliError> {
    let (messages, as_json) = (context.messages, context.json);
    let connection = context.connect().await?;
    let mut client = ClassroomServiceClient::new(connection.channel());
    let mut events = connection
        .answered(client.watch_calls(connection.streaming(WatchCallsRequest {})))
        .await?;
    if !as_json {
        eprintln!("{}", tr!(messages, "watch-intro"));
    }
    // Each open call's connection label, for its later lines.
    let mut labels: HashMap<u64, String> = HashMap::new();
    let mut ended = 0;
    while let Some(event) = events
        .message()
        .await
        .map_err(|status| connection.failed(status))?
    {
        if as_json {
            output::json(&event)?;
        } else {
            output::line(describe(&event, &mut labels, messages))?;
        }
        if matches!(event.event, Some(Event::Ended(_))) {
            ended += 1;
            if args.calls.is_some_and(|calls| ended >= calls) {
                break;
            }
        }
    }
    Ok(exit::SUCCESS)
}

/// One event as a line of the terminal view.
fn describe(event: &CallEvent, labels: &mut HashMap<u64, String>, messages: &Messages) -> String {
    let lang = messages.lang();
    let Some(kind) = &event.event else {
        return String::new();
    };
    if let Event::Skipped(skipped) = kind {
        return tr!(messages, "watch-skipped", count = skipped.count);
    }
    if let Event::Started(started) = kind {
        labels.insert(event.call_id, started.connection.clone());
    }
    let label = labels.get(&event.call_id).cloned().unwrap_or_default();
    let text = match kind {
        Event::Started(started) => started_text(started, messages),
        Event::Message(message) => message_text(message, messages),
        Event::HalfClose(_) => format!("⇥ {}", tr!(messages, "watch-half-close")),
        Event::Ended(end) => {
            labels.remove(&event.call_id);
            ended_text(end, lang, messages)
        }
        Event::Skipped(_) => String::new(),
    };
    let since = tr!(
        messages,
        "watch-since",
        duration = milliseconds(lang, event.since_start_us)
    );
    format!("#{} {label} {since} {text}", event.call_id)
}

fn started_text(started: &CallStarted, messages: &Messages) -> String {
    let model = match CallModel::try_from(started.model) {
        Ok(CallModel::Unary) => tr!(messages, "watch-model-unary"),
        Ok(CallModel::ServerStreaming) => tr!(messages, "watch-model-server-streaming"),
        Ok(CallModel::ClientStreaming) => tr!(messages, "watch-model-client-streaming"),
        Ok(CallModel::BidiStreaming) => tr!(messages, "watch-model-bidi-streaming"),
        _ => String::from("?"),
    };
    let metadata: Vec<String> = started
        .metadata
        .iter()
        .map(|entry| format!("{}={}", entry.name, entry.value))
        .collect();
    tr!(
        messages,
        "watch-started",
        method = started.method.as_str(),
        model = model,
        stream = started.http2_stream,
        metadata = metadata.join(" "),
    )
}

fn message_text(message: &CallMessage, messages: &Messages) -> String {
    let arrow = if message.direction == Direction::ClientToServer as i32 {
        "→"
    } else {
        "←"
    };
    let mut text = format!(
        "{arrow} {}",
        tr!(
            messages,
            "watch-message",
            r#type = message.r#type.as_str(),
            bytes = message.encoded_bytes,
            json = message.json_bytes
        )
    );
    if message.compressed {
        text.push(' ');
        text.push_str(&tr!(messages, "watch-compressed"));
    } else {
        text.push(' ');
        text.push_str(&message.json);
        if message.truncated {
            text.push_str(&tr!(messages, "watch-truncated"));
        }
    }
    text
}

fn ended_text(end: &CallEnded, lang: Lang, messages: &Messages) -> String {
    let code = bank_proto::code_name(tonic::Code::from_i32(end.code));
    let mut text = format!(
        "■ {}",
        tr!(
            messages,
            "watch-ended",
            code = code,
            duration = milliseconds(lang, end.duration_us)
        )
    );
    let cause = match EndCause::try_from(end.cause) {
        Ok(EndCause::Cancelled) => Some(tr!(messages, "watch-ended-cancelled")),
        Ok(EndCause::DeadlineExpired) => Some(tr!(messages, "watch-ended-deadline")),
        _ => None,
    };
    for part in [cause, (!end.reason.is_empty()).then(|| end.reason.clone())]
        .into_iter()
        .flatten()
    {
        text.push_str(" · ");
        text.push_str(&part);
    }
    if !end.bad_fields.is_empty() {
        text.push_str(" · ");
        text.push_str(&end.bad_fields.join(", "));
    }
    text
}

/// Microseconds as milliseconds with one decimal, in the user's writing.
fn milliseconds(lang: Lang, micros: u64) -> String {
    format::decimal(lang, &format!("{}.{}", micros / 1000, micros % 1000 / 100))
}
