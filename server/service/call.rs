//! The lifecycle of a long-lived call: `StreamRates`, `ConvertBatch` and
//! `ConvertSession` alike.
//!
//! Each holds the same things for its whole life and ends for the same
//! reasons, so one [`Call`] holds them:
//!
//! - its place among the open feeds, sessions or batches ([`places`]):
//!   taken at open, or the call is refused at once with RESOURCE_EXHAUSTED;
//!   freed when the `Call` is dropped, whether the call ended or its client
//!   left (tonic then drops the stream or the handler, and the `Call` in
//!   it);
//! - the drain: feeds and sessions end with UNAVAILABLE when the server
//!   starts shutting down, while a batch is let finish, since its client is
//!   owed a summary and the batch is bounded by what the client sends;
//! - the client's deadline (`grpc-timeout`): DEADLINE_EXCEEDED;
//! - for calls that read messages (batches and sessions), the idle limit:
//!   CANCELLED when the client sends nothing for `--idle-timeout`.
//!
//! A handler opens its `Call` after every check that could refuse the
//! request, then awaits each event of its model through [`Call::next`]
//! (a tick, an item, a message), which returns the status that ends the
//! call instead when one of the above comes first. The handlers are left
//! with the bare shape of their model.
//!
//! [`places`]: super::places

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::time::{Instant, Sleep};
use tokio_util::sync::WaitForCancellationFutureOwned;
use tonic::{Request, Status};

use super::places::{ConnectionStreams, OpenGuard, StreamKind};
use super::{BankApi, caller_lang};
use crate::deadline::RequestDeadline;
use crate::shutdown::{Drain, unavailable};
use crate::status;
use crate::woken::Woken;
use bank_i18n::Lang;

/// The three long-lived models, as far as their lifecycle differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Model {
    /// `StreamRates`: ends at the drain; its client sends nothing after the
    /// request, so there is no idle limit.
    Feed,
    /// `ConvertBatch`: finishes despite the drain; idle limit.
    Batch,
    /// `ConvertSession`: ends at the drain; idle limit.
    Session,
}

/// One long-lived call's place, drain and time limits (see the module
/// documentation).
pub(crate) struct Call {
    /// The call's place; dropping it frees the place.
    _place: OpenGuard,
    /// The server's drain, for a cheap check before each wait; `None` for a
    /// batch, which the drain lets finish.
    drain: Option<Drain>,
    /// Completes when the drain starts. One future for the whole call
    /// (see `Drain::started_owned`), boxed there so that the `Call` can
    /// move into the response stream.
    drained: Option<Woken<WaitForCancellationFutureOwned>>,
    /// The deadline and the idle limit.
    timer: CallTimer,
    /// The caller's language (`accept-language`), for every status the call
    /// may end with.
    pub lang: Lang,
}

impl Call {
    /// Takes the call's place and arms its limits; RESOURCE_EXHAUSTED if no
    /// place is left.
    pub(crate) fn open<T>(api: &BankApi, request: &Request<T>, model: Model) -> Result<Self, Status> {
        let lang = caller_lang(request);
        let connection = caller_connection(request);
        let place = match model {
            Model::Feed => api
                .open
                .open_stream(StreamKind::Feed, connection.as_ref(), &api.metrics, lang)?,
            Model::Session => {
                api.open
                    .open_stream(StreamKind::Session, connection.as_ref(), &api.metrics, lang)?
            }
            Model::Batch => api.open.open_batch(&api.metrics, lang)?,
        };
        let timer = match model {
            Model::Feed => CallTimer::deadline(request, lang),
            Model::Batch | Model::Session => CallTimer::deadline_and_idle(request, api.idle_timeout, lang),
        };
        let ends_at_drain = model != Model::Batch;
        Ok(Self {
            _place: place,
            drain: ends_at_drain.then(|| api.drain.clone()),
            drained: ends_at_drain.then(|| api.drain.started_owned()),
            timer,
            lang,
        })
    }

    /// Waits for the model's next `event`, unless the call must end first:
    /// then the status it ends with (UNAVAILABLE, DEADLINE_EXCEEDED,
    /// CANCELLED).
    ///
    /// A ready event is taken first, so a busy call never waits on its
    /// timer nor polls the drain future (which takes a lock) per message.
    /// The drain is also checked before waiting, with an atomic load: a
    /// call whose next event is always ready would otherwise never see it.
    pub(crate) async fn next<F: Future>(&mut self, event: F) -> Result<F::Output, Status> {
        if self.drain.as_ref().is_some_and(Drain::is_draining) {
            return Err(unavailable());
        }
        let mut event = pin!(event);
        // A ready event is taken at once: no timer, no drain future, no
        // clock (a batch's items arrive millions a second).
        if let Poll::Ready(output) = poll_fn(|cx| Poll::Ready(event.as_mut().poll(cx))).await {
            return Ok(output);
        }
        // The call is about to wait: the idle limit counts from the last
        // message, which arrived just before.
        self.timer.settle();
        let Self { drained, timer, .. } = self;
        let drained = async {
            match drained {
                Some(drained) => drained.await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            output = event => Ok(output),
            () = drained => Err(unavailable()),
            status = timer.expired() => Err(status),
        }
    }

    /// A message arrived from the client: the idle limit counts from it.
    pub(crate) fn message_arrived(&mut self) {
        self.timer.message_arrived();
    }

    /// The status the call must end with now, if any, without waiting: for
    /// loops whose next event is always ready (a replay), which would
    /// otherwise never see the drain or the deadline.
    pub(crate) fn check(&self) -> Result<(), Status> {
        if self.drain.as_ref().is_some_and(Drain::is_draining) {
            return Err(unavailable());
        }
        if self
            .timer
            .deadline
            .is_some_and(|deadline| deadline <= Instant::now())
        {
            return Err(status::deadline_exceeded());
        }
        Ok(())
    }
}

/// The caller's connection, as the transport labelled it (absent when the
/// service is called without the transport, as in unit tests).
fn caller_connection<T>(request: &Request<T>) -> Option<Arc<ConnectionStreams>> {
    request.extensions().get::<Arc<ConnectionStreams>>().cloned()
}

/// The time limits of one call, watched by a single timer for its whole
/// life: the client's deadline (`grpc-timeout`, found by
/// the router, `crate::calls`) and, for calls that
/// read messages, the idle limit.
///
/// The idle limit moves with every message, but the timer is not re-armed
/// per message (that would touch the runtime's timer wheel at message
/// rate): a message only records its arrival, and when the timer fires
/// early it is re-armed once for the time actually left.
struct CallTimer {
    deadline: Option<Instant>,
    idle: Option<Idle>,
    /// Boxed once, and only for calls that have a limit: a feed without a
    /// deadline carries no timer at all.
    timer: Option<Pin<Box<Sleep>>>,
    lang: Lang,
}

struct Idle {
    limit: Duration,
    /// When the last message arrived, as of the call's last wait.
    last_message: Instant,
    /// Messages arrived since `last_message` was set.
    arrived: bool,
}

impl Idle {
    /// When the call becomes idle; `None` if that is beyond the clock's
    /// range (a limit so large that it never passes).
    fn due(&self) -> Option<Instant> {
        self.last_message.checked_add(self.limit)
    }
}

impl CallTimer {
    /// The deadline only (a feed: its client sends nothing after the request).
    fn deadline<T>(request: &Request<T>, lang: Lang) -> Self {
        Self {
            deadline: request
                .extensions()
                .get::<RequestDeadline>()
                .map(|deadline| deadline.0),
            idle: None,
            timer: None,
            lang,
        }
    }

    /// The deadline and the idle limit (batches and sessions).
    fn deadline_and_idle<T>(request: &Request<T>, idle: Duration, lang: Lang) -> Self {
        Self {
            idle: Some(Idle {
                limit: idle,
                last_message: Instant::now(),
                arrived: false,
            }),
            ..Self::deadline(request, lang)
        }
    }

    /// A message arrived. The clock is read only when the call next waits
    /// ([`Self::settle`]): a busy stream reads it once per wait rather than
    /// once per message (a tenth of a batch's server time otherwise).
    fn message_arrived(&mut self) {
        if let Some(idle) = &mut self.idle {
            idle.arrived = true;
        }
    }

    /// The call waits: if messages arrived since the last wait, the idle
    /// limit counts from now, as from the last of them.
    fn settle(&mut self) {
        if let Some(idle) = &mut self.idle
            && std::mem::take(&mut idle.arrived)
        {
            idle.last_message = Instant::now();
        }
    }

    /// Completes with the status that ends the call when a limit passes;
    /// never, for a call without limits. Cancel-safe: meant for `select!`.
    async fn expired(&mut self) -> Status {
        loop {
            let idle_due = self.idle.as_ref().and_then(Idle::due);
            let due = match (self.deadline, idle_due) {
                (Some(deadline), Some(idle)) => deadline.min(idle),
                (Some(due), None) | (None, Some(due)) => due,
                (None, None) => return std::future::pending().await,
            };
            let timer = self
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
            if timer.deadline() != due {
                timer.as_mut().reset(due);
            }
            timer.as_mut().await;
            let now = Instant::now();
            if self.deadline.is_some_and(|deadline| deadline <= now) {
                return status::deadline_exceeded();
            }
            if let Some(idle) = &self.idle
                && idle.due().is_some_and(|due| due <= now)
            {
                return status::idle_too_long(idle.limit, self.lang);
            }
        }
    }
}
