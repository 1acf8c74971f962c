# English messages of the `bank` command-line client.
# Every id here must also exist in fr.ftl (a test checks it).

## Errors
error-invalid-url = "{ $url }" is not a server URL; expected something like http://127.0.0.1:50051.
error-unreachable = Could not reach the Bank Service at { $url }: is bank-server running there?
error-unavailable = The Bank Service at { $url } is unavailable (shutting down or overloaded); try again shortly.
error-timeout = The server did not answer in time (see --timeout).
error-deadline = The call did not end before its deadline (DEADLINE_EXCEEDED; see --deadline).
error-rejected = The server refused the request: { $reason }
error-invalid-field = The server refused the request: { $field }: { $reason }.
error-server = The server answered { $code }: { $reason }
error-input = Cannot read { $path }: { $detail }
error-output = Cannot write the output: { $detail }
error-runtime = Cannot start: { $detail }
error-tls-handshake = The TLS handshake with { $url } failed ({ $detail }): check --ca, and --cert and --key if the server asks for a client certificate.
error-tls-refused = The server at { $url } closed the connection right after the TLS handshake: it probably requires a client certificate (--cert and --key) signed by a CA it trusts.
error-not-pem = { $path } is not a PEM file of the expected kind (a certificate for --ca and --cert, a private key for --key).
error-tls-setup = Cannot set up TLS ({ $detail }): check --ca, --cert and --key.
error-invalid-token = The API token (--token or BANK_TOKEN) must be printable ASCII without spaces.
error-unauthenticated = The server requires a valid API token: pass it with --token or BANK_TOKEN.
interrupted = Interrupted.
error-wrong-scheme-tls = The server at { $url } speaks TLS, and { $url } asks for plaintext: use { $suggested }
error-wrong-scheme-plaintext = The server at { $url } speaks plaintext HTTP/2, not TLS: use { $suggested }
# The server's refusals (google.rpc.ErrorInfo reasons), phrased in the
# command line's terms; the others are shown as the server words them.
error-reason-amount-not-decimal = the amount must be a decimal number such as 100, 12.50 or 10,000.50
error-reason-amount-not-positive = the amount must be greater than zero
error-reason-amount-too-precise = { $minor_units ->
        [0] { $currency } has no decimals: the amount must be a whole number
        [one] { $currency } has one decimal: the amount cannot have more
       *[other] { $currency } has { $minor_units } decimals: the amount cannot have more
    }
error-reason-amount-too-large = the amount can have at most { $max_integer_digits } digits before its decimal point
error-reason-currency-code-malformed = a currency is written as its three-letter ISO 4217 code, such as EUR (bank currencies lists them)
error-reason-currency-not-supported = { $currency } is not a currency this server converts (bank currencies lists those it does)
error-reason-pair-malformed = a pair is written FROM/TO, such as EUR/USD
error-reason-pair-same-currency = the two currencies must differ
error-reason-tick-not-started = that instant is in the future: a rate is published only once its tick has started
error-reason-beyond-history = that instant is older than the { $max_days } days of history this server keeps
error-io-not-found = no such file
error-io-permission = permission denied
error-io-directory = it is a directory, not a file
error-io-invalid-data = the data read is not valid text

## bank currencies
currencies-code = Code
currencies-name = Name
currencies-minor-units = Minor units
# Currency names by ISO 4217 code; a code missing here shows the server's name.
currency-name-AED = UAE Dirham
currency-name-AUD = Australian Dollar
currency-name-BHD = Bahraini Dinar
currency-name-BRL = Brazilian Real
currency-name-CAD = Canadian Dollar
currency-name-CDF = Congolese Franc
currency-name-CHF = Swiss Franc
currency-name-CLP = Chilean Peso
currency-name-CNY = Yuan Renminbi
currency-name-CZK = Czech Koruna
currency-name-DKK = Danish Krone
currency-name-DZD = Algerian Dinar
currency-name-EGP = Egyptian Pound
currency-name-EUR = Euro
currency-name-GBP = Pound Sterling
currency-name-GNF = Guinean Franc
currency-name-HKD = Hong Kong Dollar
currency-name-HTG = Gourde
currency-name-HUF = Forint
currency-name-IDR = Rupiah
currency-name-ILS = New Israeli Sheqel
currency-name-INR = Indian Rupee
currency-name-ISK = Iceland Krona
currency-name-JOD = Jordanian Dinar
currency-name-JPY = Yen
currency-name-KMF = Comorian Franc
currency-name-KRW = Won
currency-name-KWD = Kuwaiti Dinar
currency-name-MAD = Moroccan Dirham
currency-name-MGA = Malagasy Ariary
currency-name-MXN = Mexican Peso
currency-name-NOK = Norwegian Krone
currency-name-NZD = New Zealand Dollar
currency-name-OMR = Rial Omani
currency-name-PLN = Zloty
currency-name-RWF = Rwanda Franc
currency-name-SAR = Saudi Riyal
currency-name-SEK = Swedish Krona
currency-name-SGD = Singapore Dollar
currency-name-THB = Baht
currency-name-TND = Tunisian Dinar
currency-name-TRY = Turkish Lira
currency-name-USD = US Dollar
currency-name-VND = Dong
currency-name-XAF = CFA Franc BEAC
currency-name-XOF = CFA Franc BCEAO
currency-name-ZAR = Rand

## bank convert
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = rate { $rate } ({ $from }/{ $to }), tick #{ $sequence } at { $time }

## bank rates
rates-pair = Pair
rates-bid = Bid
rates-mid = Mid
rates-ask = Ask
rates-header = Tick #{ $sequence } at { $time } · ticks skipped: { $skipped }
rates-stop-hint = Ctrl-C to stop
rates-hidden = … { $count ->
        [one] one more pair, not shown: the terminal is too small
       *[other] { $count } more pairs, not shown: the terminal is too small
    } …
rates-gap = … { $skipped ->
        [one] { $skipped_text } tick skipped
       *[other] { $skipped_text } ticks skipped
    } (this reader fell behind) …
rates-gap-reconnected = … { $skipped ->
        [one] { $skipped } tick missed
       *[other] { $skipped } ticks missed
    } while reconnecting …
rates-reconnecting = Lost the connection to the Bank Service at { $url }; reconnecting…
rates-reconnected = Connected again to the Bank Service at { $url }.
rates-replayed = … replaying { $count ->
        [one] { $count_text } tick
       *[other] { $count_text } ticks
    } from tick #{ $from }: nothing missed …
rates-quote = { $pair } bid { $bid } mid { $mid } ask { $ask }

## bank batch
batch-progress = rows sent
# $sep is the field delimiter (--delimiter); $target is "given" with --to.
batch-reading-terminal = Reading CSV rows typed here ({ $target ->
        [given] amount{ $sep }from[{ $sep }id]
       *[each] amount{ $sep }from{ $sep }to[{ $sep }id]
    }); to finish, { $platform ->
        [windows] press Ctrl-Z then Enter
       *[other] press Ctrl-D at the start of a line
    }.
batch-counts = Accepted: { $accepted }, rejected: { $rejected }, malformed rows: { $malformed }
batch-rates = All rates from tick #{ $sequence } at { $time }.
batch-totals = Totals:
batch-items = { $count ->
        [one] { $count_text } item
       *[other] { $count_text } items
    }
batch-problems = Problems:
batch-rejected-item = line { $line }: { $reason }
batch-rejected-item-unmapped = row { $number } sent (its line was not tracked): { $reason }
batch-malformed-row = line { $line }: malformed row: { $reason }
batch-unlisted = … and { $count_text } more not listed
batch-row-fields = { $expected } fields expected, { $found } found
batch-row-encoding = not valid UTF-8 text
batch-row-unreadable = not a valid CSV row (a quoted field is not closed, or text follows its closing quote)
batch-row-too-long = longer than 64 KiB
batch-bad-delimiter = the delimiter must be a single ASCII character
batch-incomplete = The batch did not complete: { $sent ->
        [one] { $sent_text } row was sent
       *[other] { $sent_text } rows were sent
    } and no summary was received.
batch-partial = { $sent ->
        [one] { $sent_text } row had been sent
       *[other] { $sent_text } rows had been sent
    }; no total is shown for a partly read file

## bank session
watch-intro = Watching every call to the Bank Service; Ctrl-C to stop.
watch-started = ▶ { $method } ({ $model }), HTTP/2 stream { $stream } · { $metadata }
watch-model-unary = unary
watch-model-server-streaming = server streaming
watch-model-client-streaming = client streaming
watch-model-bidi-streaming = bidirectional streaming
watch-message = { $type }, { $bytes } bytes ({ $json } as JSON)
watch-compressed = (compressed, not shown)
watch-truncated = … (cut)
watch-half-close = half-close: the client has sent everything
watch-ended = { $code } after { $duration } ms
watch-since = +{ $duration } ms
watch-ended-cancelled = cancelled by the client
watch-ended-deadline = the client's deadline expired
watch-skipped = … { $count ->
    [one] { $count } event skipped
   *[other] { $count } events skipped
}: this view fell behind
session-intro = Type conversions such as "100 USD EUR" (optionally followed by an id); quit or Ctrl-D to finish.
session-reply = [{ $request }] { $amount } { $from } = { $converted } { $to } (rate { $rate })
session-error = [{ $request }] error: { $reason }
session-bad-line = expected AMOUNT FROM TO [ID], e.g. 100 USD EUR

## Server errors (sent as google.rpc.LocalizedMessage and in ItemError.message)
# $name is the field's name in this language, $field its wire name (the
# same words in English).
error-invalid-input = { $field }: { $problem }
field-amount = amount
field-from-currency = from_currency
field-to-currency = to_currency
field-request-id = request_id
field-pairs = pairs
field-from-sequence = from_sequence
field-pair = pair
field-start-time = start_time
field-end-time = end_time
field-interval = interval
field-at = at
error-overflow = the result is outside the range this service can represent exactly
error-rate-unavailable = no rate could be computed for { $pair }
error-too-many-feeds = this server already serves its maximum of { $max } rate feeds; try again later
error-too-many-sessions = this server already holds its maximum of { $max } sessions; try again later
error-too-many-batches = this server already runs its maximum of { $max } batches; try again later
error-too-many-feeds-per-connection = this connection already holds its maximum of { $max } rate feeds; close one, or open another connection
error-too-many-sessions-per-connection = this connection already holds its maximum of { $max } sessions; close one, or open another connection
error-idle = no message arrived for { $idle }, so the server closed the call to free its place
error-stalled = the client read nothing for { $limit } while a reply was waiting, so the server ended the call to free its place
error-message-too-large = a request message of { $size } bytes is larger than the { $max } bytes this method accepts
error-request-too-slow = the request did not arrive whole within { $limit } of the call's start, so the server closed the call
error-shed = this connection already runs { $max } calls at once; retry shortly, or open another connection
error-connection-closing = this connection reached its maximum age; reconnect to go on
problem-amount-malformed = must be a plain decimal number such as 100 or 12.50 (digits and at most one point; no sign, exponent, spaces or leading zeros)
problem-amount-zero = must be greater than zero
problem-amount-too-precise = has more decimals than { $currency } allows ({ $minor_units })
problem-amount-too-large = must be less than 10^15 (a million billion) units
problem-currency-malformed = must be an ISO 4217 code of three uppercase letters, such as EUR
problem-currency-unsupported = { $code } is not a supported currency
problem-pair-malformed = item { $number } must be written FROM/TO with two currency codes, such as EUR/USD
problem-pair-unsupported = item { $number } names { $code }, which is not a supported currency
problem-pair-same = item { $number } must name two different currencies
problem-too-many-pairs = at most { $max ->
        [one] { $max } pair
       *[other] { $max } pairs
    } may be requested at once
problem-request-id-too-long = must be at most { $max ->
        [one] { $max } byte
       *[other] { $max } bytes
    } long
problem-pair-shape = must be written FROM/TO with two currency codes, such as EUR/USD
problem-same-currency = must name two different currencies
problem-time-malformed = must be a valid timestamp after 1970
problem-missing = is required
problem-not-after-start = must be later than start_time
problem-not-whole-ticks = must be a whole number of ticks ({ $tick_ms } ms each)
problem-too-many-candles = would give more than { $max } candles; choose a longer interval or a shorter period
problem-too-many-ticks = would cover more than { $max } ticks; choose a shorter period
problem-in-future = is in the future: no tick is served before it starts
problem-beyond-horizon = is older than the { $days } days of history this service serves
problem-before-replay-window = is older than the replay window, which starts at tick { $oldest }
problem-after-next-tick = is after the next tick, { $next }
problem-not-the-batch-tick = names tick { $tick }, but this batch is priced at tick { $batch }

## bank history
history-summary = { $pair } · { $candles ->
        [one] { $candles } candle
       *[other] { $candles } candles
    } · open { $open } · high { $high } · low { $low } · close { $close } · change { $change } ({ $percent } %)
history-empty = No candle in this period.

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
tour-seen-counts = { $sent ->
        [one] { $sent } message
       *[other] { $sent } messages
    } from the client, { $received } from the server.
tour-size-message = Message
tour-size-protobuf = Protobuf bytes
tour-size-json = Same data as compact JSON
tour-size-total = In all: { $protobuf } bytes of protobuf against { $json } bytes of JSON, so protobuf is { $percent }% of the JSON size.
tour-size-json-note = The JSON here is compact JSON: no spaces, the proto's snake_case field names, 64-bit integers as plain numbers. It is not canonical proto3 JSON, which writes names in lowerCamelCase and 64-bit integers as strings.
tour-code = The code: { $file }
tour-pause = Press Enter for the next chapter…
tour-done = That was the four models and how their calls end. Try them yourself: bank convert, bank rates, bank batch, bank session (bank --help); the lab, docs/lab/lab.md, has exercises.
tour-done-one = That was one of the four models: { $name }. Try it yourself with { $command }; bank tour shows all four.

tour-unary-name = Unary
tour-unary-what = One request, one response: the shape of an ordinary function call, across the network.
tour-unary-when = Choose it whenever the answer fits in one message and the client waits for it: most APIs are only this.
tour-unary-example = Here: convert 100 USD into EUR. The response carries the exact rate applied and its tick, so the result can be checked.
tour-unary-shape = Shape: one arrow each way.

tour-server-streaming-name = Server streaming
tour-server-streaming-what = One request, then a stream of responses for as long as the server has something to say.
tour-server-streaming-when = Choose it for feeds and progress: prices, logs, notifications. No polling; a slow reader skips to the latest update instead of making the server queue old ones.
tour-server-streaming-example = Here: subscribe to EUR/USD and EUR/XOF and receive 4 rate updates (EUR/XOF stays at its fixed parity, 655.957).
tour-server-streaming-ticks = The first update is the current tick, sent at once; then one per tick (every { $tick_ms } ms here).
tour-server-streaming-ticks-unknown = The first update is the current tick, sent at once; then one per tick.
tour-server-streaming-shape = Shape: one request, then a stream of updates.
tour-resume-cut = This feed was cut after tick #{ $last }; ticks go by while it is away. Every tick is a pure function of the seed and its number, so the client asks to start again at tick #{ $last } + 1 (from_sequence) and gets every tick it missed, exactly as it was published, then the live ones.
tour-resume-none-lost = Ticks #{ $from } to #{ $to } arrived in order: no tick was lost. `bank rates` resumes this way after every lost connection.

tour-client-streaming-name = Client streaming
tour-client-streaming-what = A stream of requests, then one response once the client has finished sending.
tour-client-streaming-when = Choose it for uploads and batches: the client sends as it reads, the server aggregates as it receives, nobody holds the whole file in memory.
tour-client-streaming-example = Here: five invoices converted at one rate snapshot, one of them invalid; the summary gives exact totals and the rejected item's position.
tour-client-streaming-shape = Shape: many requests, then one summary.

tour-bidi-name = Bidirectional streaming
tour-bidi-what = Both sides stream at once on one call: requests and responses interleave, each side at its own pace.
tour-bidi-when = Choose it for conversations: chats, trading screens, a till converting each sale as it happens.
tour-bidi-example = Here: a till sends four conversions and keeps two requests in flight, sending the next one as each reply arrives. Replies come back one per request, in order, each as soon as it is computed; a bad request ("12,5": on the wire the decimal separator is a point; the CLI converts it for you) gets an error reply while the session goes on.
tour-bidi-shape = Shape: requests and replies interleaved.

tour-wire-opened = HEADERS: the call opens, with its metadata
tour-wire-user-agent = (tonic adds its own name after it)
tour-wire-half-closed = half-close (END_STREAM): the client will send nothing more
tour-wire-answered = HEADERS: the server answers (HTTP { $status })
tour-wire-trailers = trailers: the call ends
tour-wire-trailers-only = trailers only: the call ends at once, with no message
tour-wire-reset = RST_STREAM (CANCEL): the client gives up the call
tour-wire-unread = a message arrived that the client never read
tour-done-lesson = That was one lesson: { $name }. Try it yourself with { $command }; bank tour shows every chapter.

tour-measure-title = Why not call Convert { $count } times? Measured now, on this server:
tour-measure-unary = { $count } conversions as { $calls } unary calls, each waiting for its answer: { $calls } HTTP/2 streams, { $headers } header blocks, { $millis } ms.
tour-measure-session = The same { $count } conversions in one session, sent without waiting: { $calls } HTTP/2 stream, { $headers } header blocks, { $millis } ms.
tour-measure-messages = Both carried the same { $messages } messages; each unary call also paid for its own opening, answer and trailers.
tour-measure-ratio = The session was { $ratio } times as fast.
tour-measure-lesson = Speed is not the whole answer: the two streams of a session are independent. The server replies as each conversion is done, the client sends without waiting, either side can stop at any time, and the call keeps its state (the language, the connection's place) for its whole life. Unary calls, even made side by side, give none of that.

tour-cancellation-name = Cancellation
tour-cancellation-what = Either side can end a call early. When the client gives up (Ctrl-C, a closed window, a timeout of its own), it resets the HTTP/2 stream: the server sees the call end with CANCELLED, and must stop the work it was doing for it.
tour-cancellation-example = Here: a feed of EUR/USD; after three updates the client drops the call. Then the server's own counters: how it ended the call, and whether the feed is still open.
tour-cancel-mark = the client drops the call (Ctrl-C does the same)
tour-cancel-server = The server's view: StreamRates calls ended CANCELLED went from { $before } to { $after }; feeds open went from { $open_during } to { $open_after }. The feed stopped when its client left.
tour-server-view-unknown = The server's own view is known only with the tour's own server (without --server); look at that server's log.
tour-cancel-lesson = A cancellation is not an error of the server: nothing was wrong, the client simply stopped listening. No trailers come back; the server learns of it from the reset.

tour-deadlines-name = Deadlines
tour-deadlines-what = A deadline says how long the client will wait for the whole call. It travels as the grpc-timeout header (a number and a unit: m for milliseconds, u for microseconds), so the server knows it too; when it passes, both sides end the call with DEADLINE_EXCEEDED, and the server stops working for an answer nobody will read.
tour-deadlines-example = Here: a feed of EUR/USD asked with a deadline of 900 ms, and no limit on its updates.
tour-deadline-client = The client saw { $code } after { $millis } ms and { $updates } updates.
tour-deadline-not-ended = The server did not end the call at its deadline; the tour ended it itself.
tour-deadline-server = The server's view: StreamRates calls ended DEADLINE_EXCEEDED went from { $before } to { $after }.
tour-deadline-lesson = Set a deadline on every call, and pass what is left of it on to the calls you make for it: a deadline that is not propagated lets work go on for nobody. `bank rates --deadline 2s` does the same from the command line.

tour-errors-name = A status or an error in the stream
tour-errors-what = A call ends with one status. A unary call that fails gets no answer, only its status: the code, a message, and details such as google.rpc.BadRequest naming the field at fault. A stream is different: an error status would end it for every request still to come.
tour-errors-example = Here: the amount "1e5" (a number to many parsers, not an amount here), first as a unary Convert, then as the second of three requests in one session.
tour-errors-status = The unary call ended with { $code }: no response message, the status alone, with BadRequest naming the field amount.
tour-errors-in-band = The session answered { $answered } conversions and { $refused } refusal, each in its own reply, and ended with OK.
tour-errors-lesson = So a session answers a bad request in a reply (SessionReply.error) and goes on, a batch lists its rejected items in its summary; a status error is kept for what ends the whole call: a bad token, the server draining, a deadline.

tour-slow-reader-name = A slow reader
tour-slow-reader-what = A feed cannot wait for its slowest reader, and must not queue old prices for it either. HTTP/2 flow control tells the server how much the client is ready to receive; when the client does not read, the server stops sending, and this server then sends the latest tick, not the ones in between.
tour-slow-reader-example = Here: a feed of EUR/USD on a connection whose streams have a 64-byte window, read once every few ticks.
tour-slow-pause = the client reads nothing for { $millis } ms
tour-slow-gap = ticks #{ $from } to #{ $to } skipped: { $skipped }
tour-slow-summary = { $read } updates read, { $skipped } ticks skipped; the window was { $window } bytes, so the server never had more than one update on its way.
tour-slow-server = The server's view: { $skipped } ticks skipped for slow readers, counting the update that was on its way when the client left.
tour-slow-lesson = Latest-value semantics: a reader that cannot keep up sees fewer prices, never old ones, and costs the server no memory. A reader that needs every tick asks for the ones it missed (the next chapter). `bank rates --slow 1s` shows it from the command line.

tour-resume-name = Resuming a stream
tour-resume-what = gRPC does not resume a broken stream: a call that ends is over. Resuming is the protocol's job, and this one makes it exact: every update carries its tick's sequence, and StreamRates.from_sequence starts again at any recent tick.
tour-resume-example = Here: a feed of EUR/USD cut after three updates, then resumed at the tick after the last one seen.

tour-choosing-title = Choosing a model
tour-choosing-unary = Choose it when the answer fits in one message and the client waits for it.
tour-choosing-unary-not = Not for a price that changes every tick: asking again and again misses changes and pays for a call each time; a feed is server streaming.
tour-choosing-server-streaming = Choose it when the server has a series of things to say about one question: prices, progress, notifications.
tour-choosing-server-streaming-not = Not for one large answer: send it in one message, or in pages of unary calls that can each be retried.
tour-choosing-client-streaming = Choose it when the client has many items and wants one answer about all of them: uploads, batches.
tour-choosing-client-streaming-not = Not when each item needs its own answer at once: the answer comes only at the end; that is bidirectional.
tour-choosing-bidi = Choose it for a conversation: both sides send when they are ready, on one call that keeps its state.
tour-choosing-bidi-not = Not for a single question: one unary call is simpler to retry, cache, balance over servers and debug.

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
bench-progress-stalled = feeds held unread
bench-connections = Connections
bench-stall-feeds = Feeds held unread
bench-stall-pairs = Pairs per feed
bench-stall-held = Held for
bench-stall-ended = Ended by the server (status codes)
bench-stall-open = Still open at the end
bench-stall-rss-held = Server memory (RSS) while held
bench-stall-per-feed = Server memory per held feed
bench-history-ticks = Ticks per call
bench-latency-median = Latency (median)
bench-latency-max = Latency (slowest)

## Command-line help and usage errors
# Help headings are written as shown, colon included.
help-usage = Usage:
help-heading-commands = Commands:
help-heading-options = Options:
help-heading-arguments = Arguments:
help-flag = Print help
help-version = Print version
help-bank = bank: convert currencies, watch the rate feed, send batches and hold conversion sessions with a Bank Service. Exit codes: 0 success; 1 the server rejected a request or some batch items; 2 usage error; 3 server unreachable or unavailable; 130 interrupted by Ctrl-C (bank rates exits 0: Ctrl-C is how it stops).
help-bank--server = Server URL (default http://127.0.0.1:50051, or BANK_SERVER); several replicas separated by commas, to spread calls over them and skip those that are down. bank tour without it starts its own embedded server.
help-bank--lang = Language of all output: en or fr (default from LANGUAGE, then LC_ALL, LC_MESSAGES or LANG: a fr* locale gives French).
help-bank--json = Machine-readable JSON output (one object, or one per line for streams), the same in every language.
help-bank--timeout = Time limit for each wait on the server: connecting, each unary call, the answer to a stream's opening, and the answer to a ping every so long while a stream runs; e.g. 5s or 500ms (default 10s).
help-bank--ca = CA certificate (PEM) to check an https:// server with (or BANK_CA); default: the system's trust store.
help-bank--cert = Client certificate (PEM) for servers that require mutual TLS (or BANK_CERT); needs --key.
help-bank--key = Private key (PEM) of --cert (or BANK_KEY).
help-bank--compress = Compress every message sent, and accept compressed answers: gzip, zstd or none (the default).
help-bank--token = API token sent on every call as authorization: Bearer (or BANK_TOKEN).
help-currencies = List the supported currencies (unary).
help-watch = Watch every call the server sees, from any client (the classroom view of bank-server --classroom): one arrow per message, each line starting with the call's number and its connection. Ctrl-C stops.
help-watch--calls = Stop after this many calls have ended (without it, the watch runs until Ctrl-C).
help-convert = Convert an amount (unary), e.g. bank convert 100 USD EUR.
help-convert--amount = The amount, e.g. 100 or 12.50 (12,50 in French).
help-convert--from = Currency of the amount (ISO 4217 code, any case).
help-convert--to = Currency to convert into.
help-convert--id = A request id to send and see echoed back.
help-convert--at = Price the conversion at the tick of this past instant: RFC 3339 (2026-11-24T09:30:00Z) or a duration ago (90m, 7d); the server keeps 400 days.
help-history = The candles of a pair over a past period (unary), e.g. bank history EUR/USD --from 1d --interval 1h. A chart on a terminal, CSV on a pipe, JSON lines with --json.
help-history--pair = The pair, e.g. EUR/USD.
help-history--from = Start of the period: RFC 3339, or a duration ago such as 90m or 7d (default: an hour ago).
help-history--to = End of the period, excluded: RFC 3339 or a duration ago (default: now).
help-history--interval = Length of a candle, a whole number of ticks, e.g. 1m or 1h (default: what fits the terminal's width).
help-help = The help of a command, e.g. bank help convert or bank help bench feed.
help-help--command = The command, e.g. convert, or bench feed.
help-completions = A completion script for a shell, e.g. bank completions bash > ~/.local/share/bash-completion/completions/bank.
help-completions--shell = The shell: bash, zsh, fish, elvish or powershell.
help-man = A manual page (roff), e.g. bank man | man -l -, or bank man convert; bank man --dir DIR writes every command's page (bank.1, bank-convert.1...).
help-man--command = The command whose page to print, e.g. convert, or bench feed; none: bank's own page.
help-man--dir = Write the page of every command into this folder (for MANPATH) instead.
man-manual = Bank Service Manual
man-heading-name = NAME
man-heading-synopsis = SYNOPSIS
man-heading-description = DESCRIPTION
man-heading-options = OPTIONS
man-heading-subcommands = COMMANDS
man-heading-version = VERSION
man-heading-authors = AUTHORS
help-rates = Watch exchange rates live (server streaming), e.g. bank rates EUR/USD GBP/USD.
help-rates--pairs = Pairs such as EUR/USD (the price of 1 EUR in USD); none means every currency against USD.
help-rates--count = Stop after this many updates, 1 or more, counted across reconnections (without it, the feed runs until Ctrl-C).
help-rates--since = Replay the ticks of this last period first (a duration such as 90s, 10m or 1h), then go live; the server keeps a day of ticks.
help-rates--from_sequence = Replay from this tick number first (a sequence a feed showed), then go live.
help-rates--slow = Read one update per this duration (e.g. 500ms, at most 10s), to watch the server skip ticks for a slow reader: each gap is shown. The connection's receive window is made small, so that the server feels the slowness at once.
help-batch = Convert a CSV file in one batch (client streaming). Rows are amount,from,to[,id], or amount,from[,id] with --to; a header row is optional; the file is streamed row by row.
help-batch--file = CSV file to read, or - for standard input (the default).
help-batch--to = Convert every row into this currency (rows then omit the target).
help-batch--delimiter = Field delimiter of the file, one ASCII character (default ,), e.g. ';'.
help-batch--at = Price every row at the tick of this past instant: RFC 3339 or a duration ago (90m, 7d).
help-session = Hold a conversion session (bidirectional streaming): type lines such as 100 USD EUR and get each reply as soon as it is computed.
help-session--at = Price every conversion at the tick of this past instant: RFC 3339 or a duration ago (90m, 7d).
help-tour = A guided tour of the four gRPC models, live, in English or French. Without --server it starts an embedded Bank Service, so nothing else needs to be running.
help-tour--model = Show only this chapter: a model (unary, server-streaming, client-streaming, bidi) or a lesson (cancellation, deadlines, errors, slow-reader, resume).
help-tour--no_pause = Do not wait for Enter between chapters.
help-bench = Load-test a running server: one benchmark per gRPC model, plus a framework baseline (see BENCHMARKS.md).
help-bench-convert = Unary Convert with varied pairs and amounts, every answer verified.
help-bench-baseline = The same load on grpc.health.v1.Health/Check, a near-empty call: the framework's ceiling.
help-bench-feed = Many concurrent StreamRates subscribers: updates per second, delivery lag, skipped ticks, server memory.
help-bench-batch = One ConvertBatch of generated items: items per second, summary verified, server memory growth.
help-bench-session = One pipelined ConvertSession: conversions per second and latency.
help-bench-stall = StreamRates feeds opened and never read, so that their receive windows fill and the server's sends stall: how many the server ends, with which status, and what they cost it in memory.
help-bench-stall--feeds = Feeds to open and never read (default 1000).
help-bench-stall--connections = HTTP/2 connections they share (default 10).
help-bench-stall--pairs = Pairs per feed (default 256, the most a feed may ask for): the bigger each update, the sooner the windows fill.
help-bench-stall--duration = How long to hold them, e.g. 30s (the default).
help-bench-history = GetRateHistory over many ticks, one call after the other: the latency of a call, whose server evaluates every tick of the period.
help-bench-history--ticks = Ticks each call covers, in 1,000 candles (default 1000000).
help-bench-history--calls = Calls, one after the other (default 20).
help-bench-history--pair = The pair (default EUR/USD).
help-bench-replay = One StreamRates feed that replays many past ticks, read as fast as they come: the updates per second one reader gets.
help-bench-replay--ticks = Ticks to replay, at most the server's replay window (default 86400).
help-bench-replay--pair = The pair (default EUR/USD).
help-arg-connections = HTTP/2 connections to spread the load over (default 4; 10 for feed).
help-arg-concurrency = Requests in flight at once, closed loop (default 256).
help-arg-duration = How long to run, e.g. 10s (the default).
help-arg-requests = Stop after exactly this many requests in all, instead of after --duration.
help-arg-rate = Open loop: this many requests per second in all; latency then counts from the scheduled send time.
help-arg-server_pid = Process id of the server, for its CPU time and memory (default: the only process named bank-server here, if there is one).
help-arg-subscribers = Concurrent subscribers (default 1000).
help-arg-pairs = Pairs per subscriber (default 3, at most 12).
help-arg-items = Items to send (default 1000000).
help-arg-window = Requests in flight at once on the session (default 256).
help-arg-deadline = A gRPC deadline on the whole call, e.g. 30s or 5m (sent as grpc-timeout): when it passes, the server ends the call with DEADLINE_EXCEEDED and the command exits 3, keeping what it printed.
error-usage-invalid-value = "{ $value }" is not a valid value for { $arg }.
error-usage-unknown-argument = Unknown option { $arg }.
error-usage-unknown-command = Unknown command "{ $command }".
error-usage-missing = Missing: { $args }.
error-usage-missing-command = A command is needed, such as convert, rates, batch, session or tour.
error-usage-other = This command line cannot be used as it is.
error-usage-valid-values = Valid values: { $values }.
error-usage-duration-without-unit = { $arg } needs a unit after its number, such as { $value }s or { $value }ms.
error-usage-duration-not-positive = { $arg } must be more than zero.
error-usage-duration-malformed = "{ $value }" is not a duration for { $arg }; write a number and a unit, such as 500ms, 5s, 2m or 1h.
error-usage-duration-too-long = { $arg } can be at most { $max }.
error-usage-instant-malformed = "{ $value }" is not an instant for { $arg }; write an RFC 3339 time such as 2026-11-24T09:30:00Z, or a duration ago such as 90m or 7d.
error-usage-instant-before-1970 = "{ $value }" for { $arg } reaches before 1970.
error-usage-amount-negative = An amount cannot be negative ({ $value }); to convert the other way, swap the currencies.
error-usage-hint = See bank --help, or bank COMMAND --help.

## bank-server --help and its manual page (the defaults and variables are clap's notes)
help-bank-server = A currency-conversion Bank Service over gRPC: exact decimal money, a seeded rate feed, and the four gRPC models.
help-bank-server--addr = Address to listen on: IP:PORT or HOST:PORT (a name is resolved at start, an IPv4 address preferred: localhost:50051 listens on 127.0.0.1).
help-bank-server--workers = Runtime threads, of the shape --runtime chooses. Default: one per CPU this process may use (its affinity mask and cgroup CPU quota), and a single-threaded runtime when that is one. 1 runs a single-threaded runtime, the fastest shape when the server should keep to one core (for instance beside a load generator on a small machine).
help-bank-server--runtime = The runtime's shape for those threads: auto (a single-threaded runtime for one thread; for more, per-core on Linux, the fastest measured, and multi-thread elsewhere), current-thread (one thread), multi-thread (workers that share the tasks), or per-core (one single-threaded runtime per thread, each with its own listening socket on the same port, SO_REUSEPORT; Linux only).
help-bank-server--tls_cert = Certificate chain (PEM) to serve TLS with; needs --tls-key.
help-bank-server--tls_key = Private key (PEM) of --tls-cert.
help-bank-server--tls_client_ca = CA certificate(s) (PEM) for mutual TLS: every client must present a certificate signed by one of them. Needs --tls-cert and --tls-key.
help-bank-server--auth_tokens = File of API tokens, one per line, ending with a newline (blank lines and # comments ignored); every BankService call then needs authorization: Bearer <token>. Reloaded on SIGHUP: replace it atomically (write a new file, then rename it over the old one).
help-bank-server--metrics_addr = Serve Prometheus metrics on this address (GET /metrics, plain HTTP/1.1). Off unless given.
help-bank-server--web_addr = Serve the page and BankService over gRPC-Web on this address (plain HTTP/1.1, for browsers). Off unless given.
help-bank-server--web_origin = An origin (scheme://host:port) whose pages may call the service over gRPC-Web (CORS); repeat for several, or separate them with commas in the variable. The page served on --web-addr needs none.
help-bank-server--classroom = Serve the classroom view: ClassroomService.WatchCalls shows every BankService call (its metadata masked, its messages, its end) to whoever watches, with bank watch or the page. Off by default: it shows one caller's traffic to another.
help-bank-server--log_format = Log format on standard error: text for people (coloured on a terminal), json (one object per line) for log pipelines.
help-bank-server--man = Print this program's manual page (roff) and exit: bank-server --man | man -l -. In the language of LANGUAGE, LC_ALL, LC_MESSAGES or LANG, like this help.
help-bank-server--seed = Seed of the rate simulation; servers with the same seed publish the same quotes for the same tick. Default: random (logged at start).
help-bank-server--tick_ms = Length of a rate tick, in milliseconds.
help-bank-server--spread_bps = Spread between bid and ask, in basis points of the mid (20 = 0.20%).
help-bank-server--grace_period = How long a shutdown waits for running calls, in milliseconds.
help-bank-server--max_feeds = Rate feeds (StreamRates) open at once. One more is refused at once with RESOURCE_EXHAUSTED; open feeds are not affected.
help-bank-server--max_sessions = Sessions (ConvertSession) open at once. One more is refused at once with RESOURCE_EXHAUSTED; open sessions are not affected.
help-bank-server--max_batches = Batches (ConvertBatch) running at once. One more is refused at once with RESOURCE_EXHAUSTED.
help-bank-server--max_feeds_per_connection = Rate feeds open at once on one client connection, so that one connection cannot take every feed of the server.
help-bank-server--max_sessions_per_connection = Sessions open at once on one client connection.
help-bank-server--idle_timeout = How long a batch or session may go without a message from its client before the server ends it with CANCELLED and frees its place, e.g. 90s or 5m.
help-bank-server--handshake_timeout = How long a new connection has to complete its TLS handshake and send the HTTP/2 preface, e.g. 10s.
help-bank-server--max_connection_age = Age at which a connection is asked to go away (GOAWAY): the client reconnects for its next calls and shows its API token again, e.g. 1h.
help-bank-server--max_connection_age_grace = How long calls under way go on once their connection reached its maximum age, before they end with UNAVAILABLE, e.g. 5m.
help-bank-server--stall_limit = How long a call may have a reply waiting while its client reads nothing, before the server ends it with RESOURCE_EXHAUSTED and frees its place, e.g. 30s.
help-bank-server--concurrency_per_connection = Calls running at once on one client connection (a batch counts until its summary, a feed or session only while it starts). One more is refused at once with RESOURCE_EXHAUSTED rather than queued.
