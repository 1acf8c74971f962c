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
