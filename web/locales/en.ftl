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
board-loading = Loading each pair's history…
chart-explain = Each chart starts with the pair's past from GetRateHistory (unary), then goes on with the feed from the tick right after it, so no tick is lost or drawn twice. A hollow candle went up, a filled one went down; a red band with dashed edges marks ticks that never arrived. Focus a chart and use the arrow keys to read its candles one by one.
chart-interval = Candles of
chart-interval-ticks = { $ticks ->
    [one] one tick
   *[other] { $ticks } ticks
}
chart-interval-duration = { $ticks ->
    [one] one tick
   *[other] { $ticks } ticks
} ({ $duration })
chart-loading = Loading the history…
chart-failed = No history: { $reason }
chart-candle = { $time }: open { $open }, high { $high }, low { $low }, close { $close } (ticks { $first } to { $last })
chart-label = Candlestick chart of { $pair }, candles of { $interval }
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
convert-at = At (optional)
convert-at-hint = Empty: the current tick. A past instant, in your local time, prices the conversion at the tick of that instant, exactly as it was priced then.
token-label = Token
token-hint = Only needed when the server runs with --auth-tokens.
error-code = Error { $code }
