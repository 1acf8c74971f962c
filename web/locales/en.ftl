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

## The four models (models.ts, classroom.ts, labels.ts)
models-title = The four models
models-explain = gRPC has four ways for a call to exchange messages. Each is explained below with its RPC as written in proto/bank/v1/bank.proto, and drawn live from real calls: one lane per call, every message an arrow with its time since the call started and its size as protobuf beside the size of the same data as JSON.
models-unary-name = Unary
models-unary-what = One request, one response: the shape of an ordinary function call, across the network.
models-unary-when = Choose it whenever the answer fits in one message and the client waits for it: most APIs are only this.
models-unary-try = Convert an amount above: the call is drawn here.
models-server-streaming-name = Server streaming
models-server-streaming-what = One request, then a stream of responses for as long as the server has something to say.
models-server-streaming-when = Choose it for feeds and progress: prices, logs, notifications. No polling; a slow reader skips to the latest update instead of making the server queue old ones.
models-server-streaming-try = Watch rates above: the feed is drawn here, a tick at a time; Stop cancels it.
models-client-streaming-name = Client streaming
models-client-streaming-what = A stream of requests, then one response once the client has finished sending.
models-client-streaming-when = Choose it for uploads and batches: the client sends as it reads, the server aggregates as it receives, nobody holds the whole file in memory.
models-client-streaming-try = Run this in a terminal (bank batch):
models-bidi-name = Bidirectional streaming
models-bidi-what = Both sides stream at once on one call: requests and responses interleave, each side at its own pace.
models-bidi-when = Choose it for conversations: chats, trading screens, a till converting each sale as it happens.
models-bidi-try = Run this in a terminal, then type one conversion per line, such as 100 USD EUR: each reply arrives while the session stays open, so requests and replies interleave as you type (Ctrl-D ends it; bank --server URL tour shows all four models):
models-no-calls = No call yet.
models-no-calls-classroom = No call yet: run the command above, or any client of this server; with the classroom on, the call is drawn here as the server sees it.
models-browser-title = Why this page cannot make the other two calls
models-browser-why = A browser speaks gRPC-Web, over fetch, and fetch sends the whole request body before the response can be read: a request body cannot stay open and stream while the response streams back. So a page can send one request and read one or many responses (unary, server streaming), but it cannot send a stream of requests (client streaming, bidirectional).
models-browser-run = Those calls are made by a program that speaks gRPC itself, such as the bank command-line client; with the classroom on, this page draws them as the server sees them.
models-grpc-url = gRPC address of this server
models-grpc-url-note = This page knows only its own address: the port shown is bank-server's default gRPC port (--addr). Correct it if the server listens elsewhere, and use https:// if it has TLS.
models-grpc-url-known = The port is the one this server gave; the host is the one this page came from. Correct the host if the others reach the server by another name.
models-copy = Copy
models-copied = Copied
models-copy-select = Selected: press Ctrl-C
classroom-connecting = Connecting to the classroom view…
classroom-watching = Watching every call this server receives, from any client (the classroom view).
classroom-missed = { $count ->
    [one] one event missed (this page read too slowly)
   *[other] { $count } events missed (this page read too slowly)
}
classroom-off = This server runs without the classroom view, so only this page's own calls are drawn (as the browser sees them). To see every client's calls, including bank batch and bank session, start it with:
classroom-off-why = It is off by default because it shows one caller's traffic to another.
classroom-refused = The classroom view was refused: { $code }. This server wants a token: type it in the token field; the page tries again when it changes.
classroom-ended = The classroom view ended: { $reason }
classroom-again = Watch again
classroom-stream-closed = the server closed it
models-at = +{ $ms } ms
models-message = { $type } · { $encoded } B protobuf · { $json } B JSON
models-message-compressed = { $type } · { $encoded } B compressed
models-half-close = half-close (END_STREAM): the client will send nothing more
models-cancel = RST_STREAM (CANCEL): the client gave up the call, no trailers come back
models-skipped-ticks = { $count ->
    [one] one tick skipped: the feed went on to the latest
   *[other] { $count } ticks skipped: the feed went on to the latest
}
models-skipped-events = { $count ->
    [one] one event missed by this page (its call is unknown)
   *[other] { $count } events missed by this page (their calls are unknown)
}
models-trailers = trailers: { $status }
models-trailers-reason = reason { $reason }
models-trailers-fields = fields at fault: { $fields }
models-lane-page = this page
models-lane-client = { $connection } · HTTP/2 stream { $stream }
models-lane-server = bank-server
models-call-page = { $method } · this page's call { $id }
models-call-classroom = { $method } · call { $id }
models-seen-page = Seen by the browser (no classroom view).
models-seen-classroom = Seen by the server (classroom view).
models-open = Open.
models-ended = Ended: { $status } after { $ms } ms
models-cause-cancelled = cancelled by the client
models-cause-deadline = its deadline passed
models-deadline = Deadline { $deadline } ms
models-deadline-left = Deadline { $deadline } ms · { $left } ms left
models-folded = { $count ->
    [one] one arrow folded (the first and the latest are kept)
   *[other] { $count } arrows folded (the first and the latest are kept)
}
models-show-message = The message
models-json-cut = (cut)
models-mermaid = Mermaid text
models-mermaid-label = This call as a Mermaid sequence diagram
models-mermaid-copied = Copied to the clipboard.
models-mermaid-select = The text is selected: copy it.
models-projector = Projector
models-projector-leave = Leave the projector (Escape)
models-masked = { $count ->
    [one] one other value masked
   *[other] { $count } other values masked
}
