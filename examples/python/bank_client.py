"""A Python client of the Bank Service: the four gRPC models from another language.

The server is Rust (tonic); this client is Python (grpcio), and all they
share is proto/bank/v1/bank.proto. generate.py turns that file into Python
code; this script imports the generated stub and calls every model of
bank.v1.BankService once:

    unary             ListCurrencies, Convert
    server streaming  StreamRates     (a bounded number of updates)
    client streaming  ConvertBatch    (exact totals, recomputed here)
    bidirectional     ConvertSession  (a reply read after each request)

then ends two calls early, as the lab's last exercise asks:

    cancellation      a live feed the client cancels after two updates
    deadline          a live feed whose deadline passes before the next tick

and reads the details of failing calls: google.rpc.BadRequest,
google.rpc.ErrorInfo and google.rpc.LocalizedMessage, through
grpcio-status, once in French (accept-language: fr).

The calls themselves (the stub's methods, cancel) are the methods of one
class, Calls; everything else prepares their requests and checks their
answers. The lab's skeleton (docs/lab/python/skeleton.py) runs this very
script with a Calls whose methods are left for students to write.

Lifecycle: one channel for the whole run, compressed with gzip (see
main); every call has a deadline,
every stream a bounded length, so the script ends by itself. It exits 0
when every call answered as expected, 1 when one did not, 2 when there is
no server to talk to, 3 when a call is not written yet (the skeleton).

Money never becomes a float: amounts and rates travel as decimal strings,
and the only arithmetic here (checking the server's figures) is done with
decimal.Decimal, rounded once, half to even, as the server does.

Usage: python bank_client.py [ADDRESS] [--stubs DIR] [--updates N]
"""

import argparse
import decimal
import importlib
import queue
import sys
from decimal import Decimal
from pathlib import Path

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

HERE = Path(__file__).resolve().parent

# Where a server started with `bank-server` and no flags listens.
DEFAULT_ADDRESS = "127.0.0.1:50051"

# Where generate.py writes the stubs unless told otherwise.
DEFAULT_STUBS = HERE / "generated"

# How long to wait for the connection to the server: far more than a
# loopback connection takes; past it, there is no server.
CONNECT_TIMEOUT_S = 10

# The deadline of every call, streams included: far more than any call
# here needs, so it is only reached when something hangs.
CALL_TIMEOUT_S = 10

# Rate updates read from the feed by default: bounded, so the feed ends.
DEFAULT_UPDATES = 3

# Updates read from a live feed before cancelling it: the feed starts one
# tick back, so both come at once (a replayed tick, then the current one).
CANCEL_AFTER = 2

# The deadline of the live feed left to run out: half the default tick
# (1 s). The feed sends the current tick at once, and the next only if a
# tick starts within that half second (about one run in two on a live
# server; never on the tests' server, whose clock stands still).
FEED_DEADLINE_S = 0.5

# Pairs the feed quotes: the price of 1 EUR in USD, of 1 USD in JPY.
FEED_PAIRS = ["EUR/USD", "USD/JPY"]

# Arithmetic precision for checking figures: amounts have at most 15 integer
# digits and 3 decimals, rates 10 significant digits; 50 digits hold any
# product and any sum here exactly, so nothing is rounded but the result.
EXACT = decimal.Context(prec=50)

# The conversions of the batch: (request_id, amount, from, to). The fifth
# has three decimals, more than USD's two: the batch rejects that item
# alone and goes on.
BATCH_ITEMS = [
    ("b-1", "100", "USD", "EUR"),
    ("b-2", "250.50", "USD", "EUR"),
    ("b-3", "15000", "JPY", "EUR"),
    ("b-4", "1.250", "KWD", "USD"),
    ("b-5", "12.345", "USD", "EUR"),
    ("b-6", "99.99", "EUR", "JPY"),
]

# The conversions of the session, sent one at a time. The second amount is
# not a number: the session answers it with an error reply and goes on.
SESSION_ITEMS = [
    ("s-1", "100", "EUR", "USD"),
    ("s-2", "ten", "EUR", "USD"),
    ("s-3", "5000", "JPY", "GBP"),
]

# Failing calls whose error details are read: (what, request fields,
# accept-language or None). The second asks for French.
FAILING_CALLS = [
    ("amount not a plain decimal", ("1e5", "EUR", "USD"), None),
    ("more decimals than JPY has", ("1.5", "JPY", "USD"), "fr"),
]


class Mismatch(Exception):
    """The server answered, but not what the contract promises."""


class Calls:
    """The gRPC calls themselves, one method per way of calling: the rest
    of the script builds their requests and checks their answers.

    Every call has a deadline (`timeout=`, in seconds): without one, a
    call to a server that never answers waits forever. The lab's skeleton
    subclasses this class with every method left to write."""

    def list_currencies(self, pb, stub):
        """Unary: a ListCurrenciesRequest in, a ListCurrenciesResponse out."""
        return stub.ListCurrencies(pb.ListCurrenciesRequest(), timeout=CALL_TIMEOUT_S)

    def convert(self, stub, request, metadata=None):
        """Unary: a ConvertRequest in, a ConvertResponse out (or grpc.RpcError).
        `metadata`: (key, value) pairs sent with the request, such as
        ("accept-language", "fr")."""
        return stub.Convert(request, timeout=CALL_TIMEOUT_S, metadata=metadata)

    def stream_rates(self, stub, request, timeout=CALL_TIMEOUT_S):
        """Server streaming: one StreamRatesRequest; the call returned is an
        iterator of RateUpdates, and also the call itself (initial_metadata,
        code, cancel)."""
        return stub.StreamRates(request, timeout=timeout)

    def convert_batch(self, stub, requests):
        """Client streaming: any iterator of ConvertRequests in, one
        BatchSummary out, once the iterator is exhausted (the half-close)."""
        return stub.ConvertBatch(requests, timeout=CALL_TIMEOUT_S)

    def convert_session(self, stub, requests):
        """Bidirectional: an iterator of requests in, an iterator of
        SessionReplies out, both open at once."""
        return stub.ConvertSession(requests, timeout=CALL_TIMEOUT_S)

    def cancel(self, call):
        """Cancellation: ends a call the server would go on with. grpcio
        resets its HTTP/2 stream (RST_STREAM, CANCEL); the call's status is
        then CANCELLED on both sides."""
        call.cancel()


class NotWritten(Exception):
    """A call the lab's skeleton leaves for the student to write."""


def load_stubs(stubs: Path):
    """The generated modules bank_pb2 (messages) and bank_pb2_grpc (stub).

    protoc names the Python package after the .proto's path (bank/v1), so
    the folder that holds bank/ goes on the import path."""
    if not (stubs / "bank" / "v1" / "bank_pb2.py").is_file():
        sys.exit(f"no generated code in {stubs}: run `python generate.py` first")
    sys.path.insert(0, str(stubs))
    return importlib.import_module("bank.v1.bank_pb2"), importlib.import_module("bank.v1.bank_pb2_grpc")


def quantize(value: Decimal, minor_units: int) -> Decimal:
    """`value` rounded once, half to even, to `minor_units` decimals: how
    the server rounds every converted amount."""
    return value.quantize(Decimal(1).scaleb(-minor_units), rounding=decimal.ROUND_HALF_EVEN, context=EXACT)


def convert_request(pb, request_id: str, amount: str, source: str, target: str):
    return pb.ConvertRequest(request_id=request_id, amount=amount, from_currency=source, to_currency=target)


def describe_conversion(reply) -> str:
    """One line for a ConvertResponse, every figure as the server wrote it."""
    return (
        f"{reply.amount} {reply.from_currency} = {reply.converted_amount} {reply.to_currency}"
        f" at {reply.rate} (tick {reply.rate_sequence})"
    )


def check_conversion(reply, minor_units: dict[str, int]) -> None:
    """Recomputes a conversion from its own rate: anyone can check the
    server's arithmetic from the response alone."""
    expected = quantize(EXACT.multiply(Decimal(reply.amount), Decimal(reply.rate)), minor_units[reply.to_currency])
    if str(expected) != reply.converted_amount:
        raise Mismatch(f"{reply.converted_amount} {reply.to_currency}, expected {expected}")


# --- unary ---------------------------------------------------------------


def list_currencies(pb, stub, calls: Calls) -> dict[str, int]:
    """Unary: one request, one response. Returns the minor units by code."""
    currencies = calls.list_currencies(pb, stub).currencies
    minor_units = {currency.code: currency.minor_units for currency in currencies}
    shown = ", ".join(f"{code} {minor_units[code]}" for code in ("JPY", "USD", "KWD"))
    print(f"ListCurrencies: {len(currencies)} currencies; minor units {shown}")
    return minor_units


def convert(pb, stub, calls: Calls, minor_units: dict[str, int]):
    """Unary: 100 USD in EUR at the current tick, checked here."""
    reply = calls.convert(stub, convert_request(pb, "py-1", "100", "USD", "EUR"))
    check_conversion(reply, minor_units)
    print(f"Convert py-1: {describe_conversion(reply)}")
    print(f"  checked: {reply.amount} x {reply.rate}, rounded half to even = {reply.converted_amount}")
    return reply


# --- server streaming ----------------------------------------------------


def stream_rates(pb, stub, calls: Calls, current_tick: int, updates: int) -> None:
    """Server streaming: one request, then updates until `max_updates`.

    The feed starts `updates - 1` ticks back (`from_sequence`): the server
    replays those past ticks exactly as it published them, then the tick
    in progress. So the updates arrive at once, and the same ones on every
    server started with the same seed."""
    start = max(1, current_tick - (updates - 1))
    request = pb.StreamRatesRequest(pairs=FEED_PAIRS, max_updates=updates, from_sequence=start)
    feed = calls.stream_rates(stub, request)
    replayed = dict(feed.initial_metadata()).get("bank-replay-ticks", "0")
    print(f"StreamRates from tick {start}: {replayed} ticks replayed, {updates} updates")
    received = 0
    # The iteration ends when the server closes the stream with OK after
    # `max_updates`; the deadline bounds it even if it never did.
    for update in feed:
        quotes = "; ".join(f"{quote.pair} mid {quote.mid}" for quote in update.quotes)
        print(f"  #{update.sequence} {update.time.ToJsonString()} {quotes}")
        received += 1
    if received != updates:
        raise Mismatch(f"{received} updates, expected {updates}")


# --- client streaming ----------------------------------------------------


def convert_batch(pb, stub, calls: Calls, minor_units: dict[str, int]) -> None:
    """Client streaming: a stream of requests, one summary.

    The stub takes any iterator of requests; a generator sends them as the
    channel has room. Every item is priced at the tick current when the
    first arrives, and the summary lists that tick's quote for every pair
    used, so the totals can be recomputed here, exactly."""
    print(f"ConvertBatch: {len(BATCH_ITEMS)} requests on one call, one summary")

    def requests():
        # grpcio pulls from this generator in a thread of its own, as the
        # channel has room: each line is printed as its request goes.
        for request_id, amount, source, target in BATCH_ITEMS:
            print(f"  sent {request_id}: {amount} {source} to {target}")
            yield convert_request(pb, request_id, amount, source, target)

    summary = calls.convert_batch(stub, requests())
    print(
        f"  summary: {summary.accepted} accepted, {summary.rejected} rejected,"
        f" priced at tick {summary.rate_sequence}"
    )
    mids = {quote.pair: Decimal(quote.mid) for quote in summary.rates}
    rejected = {error.index for error in summary.errors}
    expected: dict[str, Decimal] = {}
    for index, (_, amount, source, target) in enumerate(BATCH_ITEMS):
        if index not in rejected:
            converted = quantize(EXACT.multiply(Decimal(amount), mids[f"{source}/{target}"]), minor_units[target])
            expected[target] = EXACT.add(expected.get(target, Decimal(0)), converted)
    for total in summary.totals:
        recomputed = quantize(expected.get(total.currency, Decimal(0)), minor_units[total.currency])
        items = "item" if total.count == 1 else "items"
        print(f"  total {total.currency} {total.total} over {total.count} {items}; recomputed {recomputed}")
        if str(recomputed) != total.total:
            raise Mismatch(f"total {total.currency} {total.total}, recomputed {recomputed}")
    if sorted(total.currency for total in summary.totals) != sorted(expected):
        raise Mismatch("the totals do not cover the accepted items' currencies")
    for error in summary.errors:
        print(f"  item {error.index} ({error.request_id}) rejected: {error.code}, field {error.field}: {error.message}")


# --- bidirectional streaming ---------------------------------------------


def convert_session(pb, stub, calls: Calls, minor_units: dict[str, int]) -> None:
    """Bidirectional: requests and replies on one call, interleaved.

    The requests come from a queue the stub reads in its own thread; this
    thread puts one request, reads its reply, then puts the next: a
    conversation, not a batch. None in the queue closes the client's side,
    and the server then ends the call with OK."""
    outgoing: queue.Queue = queue.Queue()

    def requests():
        while True:
            try:
                # Bounded: if this thread stopped putting requests, grpcio's
                # reading thread gives up instead of waiting forever.
                request = outgoing.get(timeout=CALL_TIMEOUT_S)
            except queue.Empty:
                return
            if request is None:
                return
            yield request

    replies = calls.convert_session(stub, requests())
    print("ConvertSession: one reply per request, in order")
    for request_id, amount, source, target in SESSION_ITEMS:
        print(f"  sent {request_id}: {amount} {source} to {target}")
        outgoing.put(convert_request(pb, request_id, amount, source, target))
        reply = next(replies, None)
        if reply is None:
            raise Mismatch(f"the session ended before replying to {request_id}")
        # A oneof: WhichOneof says which field the server set.
        if reply.WhichOneof("outcome") == "conversion":
            check_conversion(reply.conversion, minor_units)
            print(f"  reply {reply.conversion.request_id}: {describe_conversion(reply.conversion)}")
        else:
            error = reply.error
            print(f"  reply {error.request_id}: error {error.code}, field {error.field}: {error.message}")
    outgoing.put(None)
    leftover = list(replies)
    if leftover:
        raise Mismatch(f"{len(leftover)} replies more than requests")


# --- cancellation and deadlines -------------------------------------------


def cancel_feed(pb, stub, calls: Calls, current_tick: int) -> None:
    """Cancellation: a live feed (no max_updates) never ends by itself;
    the client ends it. The feed starts one tick back, so the two updates
    read come at once; then the client cancels. The server stops the
    feed's work and logs the call as CANCELLED; on this side the call's
    status is CANCELLED as well, set by grpcio itself."""
    start = current_tick - (CANCEL_AFTER - 1)
    feed = calls.stream_rates(stub, pb.StreamRatesRequest(pairs=FEED_PAIRS[:1], from_sequence=start))
    read = []
    for update in feed:
        read.append(f"#{update.sequence}")
        if len(read) == CANCEL_AFTER:
            calls.cancel(feed)
            break
    # Bounded: if the call were not cancelled, code() would wait for its
    # deadline (CALL_TIMEOUT_S) and answer DEADLINE_EXCEEDED.
    code = feed.code()
    print(f"Cancellation: a live feed from tick {start}, read {', '.join(read)}, then cancelled: {code.name}")
    if code != grpc.StatusCode.CANCELLED:
        raise Mismatch(f"the cancelled feed ended with {code.name}")


def feed_past_its_deadline(pb, stub, calls: Calls) -> None:
    """Deadline: a live feed asked with a deadline shorter than a tick.
    The current tick comes at once, the next not before the deadline: the
    call ends with DEADLINE_EXCEEDED, an error for the client (an exception
    out of the iterator), though nothing went wrong on the server."""
    feed = calls.stream_rates(stub, pb.StreamRatesRequest(pairs=FEED_PAIRS[:1]), timeout=FEED_DEADLINE_S)
    received = 0
    try:
        for _ in feed:
            received += 1
    except grpc.RpcError as error:
        code = error.code()
    else:
        raise Mismatch("a live feed ended with OK")
    updates = "update" if received == 1 else "updates"
    print(f"Deadline: a live feed with a {FEED_DEADLINE_S} s deadline: {code.name} after {received} {updates}")
    if code != grpc.StatusCode.DEADLINE_EXCEEDED:
        raise Mismatch(f"the feed ended with {code.name}")


# --- errors ----------------------------------------------------------------


def show_error_details(pb, stub, calls: Calls) -> None:
    """The rich error model: a failed call carries a google.rpc.Status in
    its trailers (grpc-status-details-bin). rpc_status.from_call decodes it;
    each detail is a google.protobuf.Any, unpacked by type."""
    print("Errors: the details of failing calls")
    for what, (amount, source, target), language in FAILING_CALLS:
        metadata = [("accept-language", language)] if language else None
        heading = f"  Convert {amount} {source} to {target} ({what})"
        if language:
            heading += f", accept-language: {language}"
        try:
            calls.convert(stub, convert_request(pb, "", amount, source, target), metadata=metadata)
        except grpc.RpcError as error:
            # The exception is also the call: code, details, trailers.
            print(f"{heading}: {error.code().name}")
            print(f"    message: {error.details()}")
            status = rpc_status.from_call(error)
            if status is None:
                raise Mismatch("the status carries no details") from error
            for detail in status.details:
                print_detail(detail)
        else:
            raise Mismatch(f"{heading}: converted, expected an error")


def print_detail(detail) -> None:
    """One google.rpc detail, by its type."""
    if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
        bad_request = error_details_pb2.BadRequest()
        detail.Unpack(bad_request)
        for violation in bad_request.field_violations:
            print(f"    BadRequest: field {violation.field}: {violation.description}")
    elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
        info = error_details_pb2.ErrorInfo()
        detail.Unpack(info)
        metadata = ", ".join(f"{key}={info.metadata[key]}" for key in sorted(info.metadata))
        print(f"    ErrorInfo: reason {info.reason}, domain {info.domain}, metadata {metadata}")
    elif detail.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
        localized = error_details_pb2.LocalizedMessage()
        detail.Unpack(localized)
        print(f"    LocalizedMessage ({localized.locale}): {localized.message}")
    else:
        print(f"    another detail: {detail.type_url}")


def main(calls: Calls = Calls()) -> int:
    """Runs every step with `calls`: this script's own, or the skeleton's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", nargs="?", default=DEFAULT_ADDRESS, help=f"host:port (default {DEFAULT_ADDRESS})")
    parser.add_argument("--stubs", type=Path, default=DEFAULT_STUBS, help="folder generate.py wrote the code into")
    parser.add_argument("--updates", type=int, default=DEFAULT_UPDATES, help="rate updates to read (default 3)")
    args = parser.parse_args()
    if args.updates < 1:
        parser.error("--updates must be at least 1")
    pb, pb_grpc = load_stubs(args.stubs)

    # One channel, reused by every call. With gzip, every call says
    # `grpc-encoding: gzip`, and grpcio compresses each request message that
    # gzip makes smaller (the ones here are a few dozen bytes, too small:
    # they go as they are, flagged uncompressed). A server without gzip
    # refuses every call (UNIMPLEMENTED); this one accepts gzip and zstd,
    # and compresses its answers with gzip, which grpcio accepts.
    with grpc.insecure_channel(args.address, compression=grpc.Compression.Gzip) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=CONNECT_TIMEOUT_S)
        except grpc.FutureTimeoutError:
            print(f"no server at {args.address}", file=sys.stderr)
            return 2
        print(f"Channel to {args.address}, compression gzip")
        stub = pb_grpc.BankServiceStub(channel)
        try:
            minor_units = list_currencies(pb, stub, calls)
            converted = convert(pb, stub, calls, minor_units)
            stream_rates(pb, stub, calls, converted.rate_sequence, args.updates)
            convert_batch(pb, stub, calls, minor_units)
            convert_session(pb, stub, calls, minor_units)
            cancel_feed(pb, stub, calls, converted.rate_sequence)
            feed_past_its_deadline(pb, stub, calls)
            show_error_details(pb, stub, calls)
        except NotWritten as todo:
            print(f"not written yet: {todo}", file=sys.stderr)
            return 3
        except grpc.RpcError as error:
            print(f"call failed: {error.code().name}: {error.details()}", file=sys.stderr)
            return 1
        except Mismatch as mismatch:
            print(f"unexpected answer: {mismatch}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
