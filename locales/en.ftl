# English messages of the `bank` command-line client.
# Every id here must also exist in fr.ftl (a test checks it).

## Errors
error-invalid-url = "{ $url }" is not a server URL; expected something like http://127.0.0.1:50051.
error-unreachable = Could not reach the Bank Service at { $url }: is bank-server running there?
error-unavailable = The Bank Service at { $url } is unavailable (shutting down or overloaded); try again shortly.
error-timeout = The server did not answer in time (see --timeout).
error-rejected = The server refused the request: { $reason }
error-invalid-field = The server refused the request: { $field }: { $reason }.
error-server = The server answered { $code }: { $reason }
error-input = Cannot read { $path }: { $detail }
error-output = Cannot write the output: { $detail }
error-runtime = Cannot start: { $detail }
interrupted = Interrupted.

## bank currencies
currencies-code = Code
currencies-name = Name
currencies-minor-units = Minor units

## bank convert
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = rate { $rate } ({ $from }/{ $to }), tick #{ $sequence } at { $time }

## bank rates
rates-pair = Pair
rates-bid = Bid
rates-mid = Mid
rates-ask = Ask
rates-header = Tick #{ $sequence } at { $time } · ticks skipped: { $skipped } · Ctrl-C to stop
rates-gap = … { $skipped } tick(s) skipped (this reader fell behind) …
rates-quote = { $pair } bid { $bid } mid { $mid } ask { $ask }

## bank batch
batch-progress = rows sent
batch-counts = Accepted: { $accepted }, rejected: { $rejected }, malformed rows: { $malformed }
batch-rates = All rates from tick #{ $sequence } at { $time }.
batch-totals = Totals:
batch-items = { $count } item(s)
batch-problems = Problems:
batch-rejected-item = line { $line }: { $reason }
batch-malformed-row = line { $line }: malformed row: { $reason }
batch-unlisted = … and { $count } more not listed
batch-row-fields = { $expected } fields expected, { $found } found
batch-row-encoding = not valid UTF-8 text
batch-row-unreadable = not a valid CSV row
batch-bad-delimiter = the delimiter must be a single ASCII character
batch-incomplete = The batch did not complete: { $sent } row(s) were sent and no summary was received.
batch-partial = { $sent } row(s) had been sent; no total is shown for a partly read file

## bank session
session-intro = Type conversions such as "100 USD EUR" (optionally followed by an id); Ctrl-D to finish.
session-reply = [{ $line }] { $amount } { $from } = { $converted } { $to } (rate { $rate })
session-error = [{ $line }] error: { $reason }
session-bad-line = expected AMOUNT FROM TO [ID], e.g. 100 USD EUR

## Server errors (sent as google.rpc.LocalizedMessage and in ItemError.message)
error-invalid-input = { $field }: { $problem }
error-overflow = the result is outside the range this service can represent exactly
error-rate-unavailable = no rate could be computed for { $pair }
problem-amount-malformed = must be a plain decimal number such as 100 or 12.50 (digits and at most one point; no sign, exponent, spaces or leading zeros)
problem-amount-zero = must be greater than zero
problem-amount-too-precise = has more decimals than { $currency } allows ({ $minor_units })
problem-amount-too-large = must be less than 10^15 (a million billion) units
problem-currency-malformed = must be an ISO 4217 code of three uppercase letters, such as EUR
problem-currency-unsupported = { $code } is not a supported currency
problem-pair-malformed = item { $index } must be written FROM/TO with two currency codes, such as EUR/USD
problem-pair-unsupported = item { $index } names { $code }, which is not a supported currency
problem-pair-same = item { $index } must name two different currencies
problem-too-many-pairs = at most { $max } pairs may be requested at once
problem-request-id-too-long = must be at most { $max } bytes long

## bank tour
tour-title = A tour of the four gRPC models, live, on a currency-conversion service.
tour-embedded = Started an embedded Bank Service on { $addr } (it stops when the tour ends).
tour-external = Using the Bank Service at { $url }.
tour-heading = ━━ { $number }/{ $total } · { $name } ━━
tour-signature = In the contract (proto/bank/v1/bank.proto):
tour-live = The live call, message by message (time since the call started):
tour-arrow-client = client → server
tour-arrow-server = server → client
tour-seen = What you just saw:
tour-seen-counts = { $sent } message(s) from the client, { $received } from the server.
tour-size-message = Message
tour-size-protobuf = Protobuf bytes
tour-size-json = Same data as JSON
tour-size-total = In all: { $protobuf } bytes of protobuf against { $json } bytes of JSON ({ $percent }%).
tour-code = The code: { $file }
tour-pause = Press Enter for the next model…
tour-done = That was all four models. Try them yourself: bank convert, bank rates, bank batch, bank session (bank --help).

tour-unary-name = Unary
tour-unary-what = One request, one response: the shape of an ordinary function call, across the network.
tour-unary-when = Choose it whenever the answer fits in one message and the client waits for it: most APIs are only this.
tour-unary-example = Here: convert 100 USD into EUR. The response carries the exact rate applied and its tick, so the result can be checked.
tour-unary-shape = Shape: one arrow each way.

tour-server-streaming-name = Server streaming
tour-server-streaming-what = One request, then a stream of responses for as long as the server has something to say.
tour-server-streaming-when = Choose it for feeds and progress: prices, logs, notifications. No polling; a slow reader skips to the latest update instead of making the server queue old ones.
tour-server-streaming-example = Here: subscribe to EUR/USD and EUR/XOF and receive 4 rate updates, one per tick (EUR/XOF stays at its fixed parity, 655.957).
tour-server-streaming-shape = Shape: one request, then a stream of updates.

tour-client-streaming-name = Client streaming
tour-client-streaming-what = A stream of requests, then one response once the client has finished sending.
tour-client-streaming-when = Choose it for uploads and batches: the client sends as it reads, the server aggregates as it receives, nobody holds the whole file.
tour-client-streaming-example = Here: five invoices converted at one rate snapshot, one of them invalid; the summary gives exact totals and the rejected item's position.
tour-client-streaming-shape = Shape: many requests, then one summary.

tour-bidi-name = Bidirectional streaming
tour-bidi-what = Both sides stream at once on one call: requests and responses interleave, each side at its own pace.
tour-bidi-when = Choose it for conversations: chats, trading screens, a till converting each sale as it happens.
tour-bidi-example = Here: four conversions sent one after another; each reply arrives as soon as it is computed, and a bad request gets an error reply while the session goes on.
tour-bidi-shape = Shape: requests and replies interleaved.

## bank bench
bench-progress = { $elapsed } s / { $planned } s · { $count } { $unit } ({ $rate } in the last second)
bench-progress-requests = requests
bench-progress-updates = updates
bench-progress-items = items sent
bench-progress-replies = replies
bench-requests = Requests
bench-throughput = Requests per second
bench-server-cpu = Server CPU per call
bench-latency = Latency
bench-errors = Errors
bench-subscribers = Subscribers
bench-pairs = Pairs per subscriber
bench-updates = Updates received
bench-updates-rate = Updates per second
bench-skipped = Ticks skipped
bench-server-rss = Server memory (RSS) at the end
bench-server-rss-before = Server memory (RSS) before
bench-lag = Delivery lag
bench-items = Items
bench-duration = Duration
bench-items-rate = Items per second
bench-rss-growth = Server memory growth (peak RSS)
bench-verified = Totals verified
bench-yes = yes
bench-no = no
bench-conversions = Conversions
bench-window = Window (in flight)
bench-conversions-rate = Conversions per second
