# The page's words in English; locales/fr.ftl has the same ids in French.
page-title = Bank Service
page-lede = Live rates and exact conversions, over gRPC-Web from this page.
language-label = Language
board-title = Live rates
board-explain = StreamRates: one request, then an update at every tick (server streaming).
board-pairs = Pairs
board-start = Watch
board-stop = Stop
board-sequence = Tick { $sequence }
board-skipped = { $count ->
    [one] one tick skipped
   *[other] { $count } ticks skipped
}
board-idle = Not watching.
board-waiting = Waiting for the first tick…
board-ended = The feed ended: { $reason }
column-pair = Pair
column-bid = Bid
column-mid = Mid
column-ask = Ask
convert-title = Convert
convert-explain = Convert: one request, one reply (unary).
convert-amount = Amount
convert-from = From
convert-to = To
convert-submit = Convert
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = Rate { $rate }, tick { $sequence } ({ $time })
convert-busy = Converting…
error-code = Error { $code }
