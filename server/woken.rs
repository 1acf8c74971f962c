//! A future polled again only when it has been woken.
//!
//! A feed's task is woken about ten times a second, once per tick, and
//! every time it polls everything it waits on: the next tick, but also the
//! drain and the connection's cut, which wait on `CancellationToken`s. A
//! token's future takes a lock shared by every stream each time it is
//! polled, to check the token and re-register the task's waker, although
//! nothing has changed: with 10,000 subscribers that was a tenth of the
//! server's time (BENCHMARKS.md, "Performance, second round").
//!
//! [`Woken`] polls its future once, with a waker of its own that notes the
//! wake-up and passes it on to the task. It polls the future again only
//! when that waker fired, or when the task's waker changed (the future
//! moved to another task): any other poll returns `Pending` at the cost of
//! an atomic load. That is sound because the inner future registered our
//! waker the last time it was polled and will wake it when it can make
//! progress; until then, polling it could only return `Pending`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// `F`, polled only after a wake-up meant for it (see the module
/// documentation).
pub struct Woken<F> {
    inner: Pin<Box<F>>,
    /// The waker `inner` holds, and whether it fired; `None` before the
    /// first poll.
    relay: Option<(Arc<Relay>, Waker)>,
}

/// Notes that the inner future woke, then wakes the task.
struct Relay {
    fired: AtomicBool,
    task: Waker,
}

impl Wake for Relay {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.fired.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}

impl<F: Future> Woken<F> {
    pub fn new(inner: F) -> Self {
        Self {
            inner: Box::pin(inner),
            relay: None,
        }
    }
}

impl<F> Woken<F> {
    /// The inner future, to change it (a timer's `reset`): the next poll
    /// polls it, whatever woke the task.
    pub fn inner_mut(&mut self) -> Pin<&mut F> {
        self.relay = None;
        self.inner.as_mut()
    }
}

impl<F: Future> Future for Woken<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let relay = match &this.relay {
            Some((relay, _)) if relay.task.will_wake(cx.waker()) => {
                if !relay.fired.swap(false, Ordering::AcqRel) {
                    return Poll::Pending;
                }
                Arc::clone(relay)
            }
            // First poll, or another task: a relay for this task's waker.
            _ => Arc::new(Relay {
                fired: AtomicBool::new(false),
                task: cx.waker().clone(),
            }),
        };
        let waker = match this.relay.take() {
            Some((kept, waker)) if Arc::ptr_eq(&kept, &relay) => waker,
            _ => Waker::from(Arc::clone(&relay)),
        };
        let output = this.inner.as_mut().poll(&mut Context::from_waker(&waker));
        this.relay = Some((relay, waker));
        output
    }
}

// `inner` is boxed: moving a `Woken` never moves `F`.
impl<F> Unpin for Woken<F> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Counts its polls; ready once `open` is set, waking its waker then.
    struct Gate {
        polls: Arc<AtomicUsize>,
        open: Arc<AtomicBool>,
        waker: Arc<std::sync::Mutex<Option<Waker>>>,
    }

    impl Future for Gate {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.polls.fetch_add(1, Ordering::SeqCst);
            if self.open.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *self.waker.lock().expect("not poisoned") = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    /// A task's waker: one, for the whole test (a no-op waker is not
    /// recognised as itself by `will_wake`).
    struct Task;

    impl Wake for Task {
        fn wake(self: Arc<Self>) {}
    }

    #[test]
    fn the_inner_future_is_polled_only_after_it_woke() {
        let polls = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicBool::new(false));
        let waker = Arc::new(std::sync::Mutex::new(None::<Waker>));
        let mut woken = Woken::new(Gate {
            polls: Arc::clone(&polls),
            open: Arc::clone(&open),
            waker: Arc::clone(&waker),
        });
        let task = Waker::from(Arc::new(Task));
        let mut cx = Context::from_waker(&task);
        for _ in 0..100 {
            assert!(Pin::new(&mut woken).poll(&mut cx).is_pending());
        }
        assert_eq!(polls.load(Ordering::SeqCst), 1);

        open.store(true, Ordering::SeqCst);
        waker
            .lock()
            .expect("not poisoned")
            .take()
            .expect("registered")
            .wake();
        assert!(Pin::new(&mut woken).poll(&mut cx).is_ready());
        assert_eq!(polls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_cancellation_is_seen_through_the_wrapper() {
        let token = tokio_util::sync::CancellationToken::new();
        let mut cancelled = Woken::new(token.clone().cancelled_owned());
        assert!(futures_poll_once(&mut cancelled).await.is_pending());
        token.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(5), cancelled)
            .await
            .expect("woken by the cancellation");
    }

    async fn futures_poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
    }
}
