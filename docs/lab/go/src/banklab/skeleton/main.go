// The lab's Go skeleton: the gRPC calls of the Bank Service, to write.
// Package banklab does the rest (the connection, the requests, the
// printing, the checks of every figure); each method below returns a
// banklab.NotWritten with a hint until you write it, and the run stops
// there, naming it, with exit code 3. Write them in the order of the
// lab's exercises (docs/lab/lab.md); the run ends with exit code 0 when
// every answer checked out. The solution is banklab/solution: read it
// after trying, not before.
//
// Lifecycle: banklab.Main dials the server once and calls these methods in
// order, each with a context that carries a deadline. In GOPATH mode:
//
//	go run banklab/skeleton [ADDRESS]
package main

import (
	"context"
	"os"
	"time"

	bankv1 "bank.example/bank/v1"
	"banklab"
)

// calls implements banklab.Calls. bank is the generated client: one
// method per RPC (bank.Convert, bank.StreamRates...).
type calls struct{}

// ListCurrencies, exercise 1 (unary).
func (calls) ListCurrencies(ctx context.Context, bank bankv1.BankServiceClient) (*bankv1.ListCurrenciesResponse, error) {
	// TODO: one call, an empty request.
	return nil, banklab.NotWritten{Hint: "ListCurrencies: return bank.ListCurrencies(ctx, &bankv1.ListCurrenciesRequest{})"}
}

// Convert, exercise 1 (unary).
func (calls) Convert(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.ConvertRequest) (*bankv1.ConvertResponse, error) {
	// TODO: one call with request.
	return nil, banklab.NotWritten{Hint: "Convert: the same shape as ListCurrencies, with request"}
}

// StreamRates, exercise 2 (server streaming): every update until the
// server ends the stream with OK, and the response header
// bank-replay-ticks.
func (calls) StreamRates(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest) ([]*bankv1.RateUpdate, string, error) {
	// TODO: open the feed with a grpc.Header(&header) call option
	// (header is a metadata.MD), then Recv until it fails: io.EOF is the
	// end with OK (banklab.EndOfStream turns it into nil).
	return nil, "", banklab.NotWritten{Hint: "StreamRates: feed, err := bank.StreamRates(ctx, request, grpc.Header(&header)); loop on feed.Recv()"}
}

// ConvertBatch, exercise 3 (client streaming): every request, then the
// one summary.
func (calls) ConvertBatch(ctx context.Context, bank bankv1.BankServiceClient, requests []*bankv1.ConvertRequest) (*bankv1.BatchSummary, error) {
	// TODO: open the call (no request yet), Send each request, then ask
	// for the summary: which method half-closes the sending side?
	return nil, banklab.NotWritten{Hint: "ConvertBatch: batch, err := bank.ConvertBatch(ctx); batch.Send(...); batch.CloseAndRecv()"}
}

// ConvertSession, exercise 4 (bidirectional): each request sent and its
// reply read (then given to reply) before the next.
func (calls) ConvertSession(ctx context.Context, bank bankv1.BankServiceClient, requests []*bankv1.ConvertRequest,
	reply func(*bankv1.ConvertRequest, *bankv1.SessionReply) error) error {
	// TODO: open the call; for each request, Send it, Recv its reply, call
	// reply(request, answer); then half-close (CloseSend) and Recv once
	// more: io.EOF means the server ended the call with OK.
	return banklab.NotWritten{Hint: "ConvertSession: session, err := bank.ConvertSession(ctx); session.Send, session.Recv, session.CloseSend"}
}

// ReadThenCancel, exercise 5 (cancellation): count updates of a live feed,
// then cancel the call; return the sequences read and the error the next
// Recv gives.
func (calls) ReadThenCancel(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest, count int) ([]uint64, error) {
	// TODO: a call lives as long as its context.
	return nil, banklab.NotWritten{Hint: "ReadThenCancel: ctx, cancel := context.WithCancel(ctx); open the feed with it; Recv count times; cancel(); Recv once more"}
}

// ReadUntilDeadline, exercise 5 (deadlines): a live feed read until it
// fails; return how many updates came and the error.
func (calls) ReadUntilDeadline(bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest, deadline time.Duration) (int, error) {
	// TODO: the deadline travels in the context too.
	return 0, banklab.NotWritten{Hint: "ReadUntilDeadline: ctx, cancel := context.WithTimeout(context.Background(), deadline); open the feed; Recv until it fails"}
}

func main() {
	os.Exit(banklab.Main(calls{}))
}
