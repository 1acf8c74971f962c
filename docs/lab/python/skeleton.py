"""The lab's Python skeleton: the client of examples/python/bank_client.py
with its gRPC calls left for you to write.

Everything around the calls is already here, shared with the solution:
the channel, the requests, the printing, the checks of every figure. This
file only replaces the class Calls, whose methods are the calls
themselves, one per way of calling. Each method below raises NotWritten
with a hint until you write it; the script then stops there, saying which,
and exits 3. Write them in the order of the lab's exercises:

    exercise 1 (unary)              list_currencies, convert
    exercise 2 (server streaming)   stream_rates
    exercise 3 (client streaming)   convert_batch
    exercise 4 (bidirectional)      convert_session
    exercise 5 (cancellation)       cancel (the deadline needs nothing more:
                                    stream_rates already takes a timeout)

When the whole run ends with exit code 0, every answer checked out. The
solution is the class Calls of examples/python/bank_client.py: read it
after trying, not before.

Lifecycle: as bank_client.py (one channel, a deadline on every call,
bounded streams); run from the repository's root, with the stubs that
examples/python/generate.py wrote:

    .venv/bin/python docs/lab/python/skeleton.py [ADDRESS] [--stubs DIR]
"""

import sys
from pathlib import Path

# The solution's folder, whose module this skeleton runs: the repository's
# examples/python/, two folders up from here.
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python"
sys.path.insert(0, str(EXAMPLE))

import bank_client  # noqa: E402 (found through the line above)
from bank_client import CALL_TIMEOUT_S, NotWritten  # noqa: E402


class SkeletonCalls(bank_client.Calls):
    """The calls, to write. `stub` is a bank_pb2_grpc.BankServiceStub, `pb`
    the module bank_pb2 of the messages. Give every call a deadline:
    `timeout=CALL_TIMEOUT_S` (seconds)."""

    def list_currencies(self, pb, stub):
        # TODO exercise 1: call ListCurrencies with an empty request and
        # return its response.
        raise NotWritten(
            "Calls.list_currencies: return stub.ListCurrencies(pb.ListCurrenciesRequest(), ...) "
            f"with timeout={CALL_TIMEOUT_S}"
        )

    def convert(self, stub, request, metadata=None):
        # TODO exercise 1: call Convert with `request`, passing `metadata`
        # on (the error step sends accept-language with it).
        raise NotWritten("Calls.convert: return stub.Convert(request, timeout=..., metadata=metadata)")

    def stream_rates(self, stub, request, timeout=CALL_TIMEOUT_S):
        # TODO exercise 2: open the feed. The call returns at once; its
        # result is an iterator of RateUpdates (and the call itself).
        raise NotWritten("Calls.stream_rates: return stub.StreamRates(request, timeout=timeout)")

    def convert_batch(self, stub, requests):
        # TODO exercise 3: `requests` is a generator of ConvertRequests;
        # the stub takes it as it is and returns the one BatchSummary.
        raise NotWritten("Calls.convert_batch: return stub.ConvertBatch(requests, timeout=...)")

    def convert_session(self, stub, requests):
        # TODO exercise 4: the same call shape as the batch, but what comes
        # back is an iterator of SessionReplies, read while sending.
        raise NotWritten("Calls.convert_session: return stub.ConvertSession(requests, timeout=...)")

    def cancel(self, call):
        # TODO exercise 5: end the feed `call` from the client's side.
        raise NotWritten("Calls.cancel: a streaming call object has a method for it (grpc.RpcContext)")


if __name__ == "__main__":
    sys.exit(bank_client.main(SkeletonCalls()))
