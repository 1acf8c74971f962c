// The lab's Go solution: the gRPC calls of the Bank Service written with
// grpc-go, one method per way of calling; package banklab does the rest
// (the connection, the requests, the printing, the checks).
//
// Lifecycle: banklab.Main dials the server once and calls these methods in
// the order of the lab's exercises, each with a context that carries a
// deadline. Build and run it in GOPATH mode (docs/lab/lab.md, "Go"):
//
//	go run banklab/solution [ADDRESS]
package main

import (
	"context"
	"io"
	"os"
	"time"

	bankv1 "bank.example/bank/v1"
	"banklab"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// calls implements banklab.Calls.
type calls struct{}

// ListCurrencies, exercise 1: unary. The generated method sends one
// request, waits for one response and the trailers, and returns.
func (calls) ListCurrencies(ctx context.Context, bank bankv1.BankServiceClient) (*bankv1.ListCurrenciesResponse, error) {
	return bank.ListCurrencies(ctx, &bankv1.ListCurrenciesRequest{})
}

// Convert, exercise 1: unary; a failure is a status error (status.Convert).
func (calls) Convert(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.ConvertRequest) (*bankv1.ConvertResponse, error) {
	return bank.Convert(ctx, request)
}

// StreamRates, exercise 2: server streaming. The request goes out with the
// call; then Recv gives one update at a time, and io.EOF once the server
// has ended the stream with OK. The response headers come first:
// grpc.Header fills them in when they arrive.
func (calls) StreamRates(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest) ([]*bankv1.RateUpdate, string, error) {
	var header metadata.MD
	feed, err := bank.StreamRates(ctx, request, grpc.Header(&header))
	if err != nil {
		return nil, "", err
	}
	var updates []*bankv1.RateUpdate
	for {
		update, err := feed.Recv()
		if err != nil {
			replayed := ""
			if values := header.Get("bank-replay-ticks"); len(values) > 0 {
				replayed = values[0]
			}
			return updates, replayed, banklab.EndOfStream(err)
		}
		updates = append(updates, update)
	}
}

// ConvertBatch, exercise 3: client streaming. Send each request; then
// CloseAndRecv half-closes the client's side (no more requests) and waits
// for the one summary: the server can only answer once it knows the batch
// is complete.
func (calls) ConvertBatch(ctx context.Context, bank bankv1.BankServiceClient, requests []*bankv1.ConvertRequest) (*bankv1.BatchSummary, error) {
	batch, err := bank.ConvertBatch(ctx)
	if err != nil {
		return nil, err
	}
	for _, request := range requests {
		// Send fails with io.EOF when the server has already ended the
		// call; CloseAndRecv then returns the status it ended it with.
		if err := batch.Send(request); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
	}
	return batch.CloseAndRecv()
}

// ConvertSession, exercise 4: bidirectional. Both directions are open at
// once: here each request is sent and its reply read before the next.
// CloseSend half-closes the client's side; the server then ends the call,
// and Recv returns io.EOF (OK).
func (calls) ConvertSession(ctx context.Context, bank bankv1.BankServiceClient, requests []*bankv1.ConvertRequest,
	reply func(*bankv1.ConvertRequest, *bankv1.SessionReply) error) error {
	session, err := bank.ConvertSession(ctx)
	if err != nil {
		return err
	}
	for _, request := range requests {
		if err := session.Send(request); err != nil && err != io.EOF {
			return err
		}
		answer, err := session.Recv()
		if err != nil {
			return err
		}
		if err := reply(request, answer); err != nil {
			return err
		}
	}
	if err := session.CloseSend(); err != nil {
		return err
	}
	if _, err := session.Recv(); err != io.EOF {
		return banklab.EndOfStream(err)
	}
	return nil
}

// ReadThenCancel, exercise 5: cancellation. The call lives as long as its
// context: cancelling the context resets the HTTP/2 stream (RST_STREAM),
// the server stops the feed, and the next Recv returns CANCELLED.
func (calls) ReadThenCancel(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest, count int) ([]uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed, err := bank.StreamRates(ctx, request)
	if err != nil {
		return nil, err
	}
	var sequences []uint64
	for len(sequences) < count {
		update, err := feed.Recv()
		if err != nil {
			return sequences, err
		}
		sequences = append(sequences, update.Sequence)
	}
	cancel()
	_, err = feed.Recv()
	return sequences, err
}

// ReadUntilDeadline, exercise 5: a deadline. context.WithTimeout sends
// grpc-timeout with the call, and ends the call on this side when it
// passes, whatever the server does.
func (calls) ReadUntilDeadline(bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest, deadline time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	feed, err := bank.StreamRates(ctx, request)
	if err != nil {
		return 0, err
	}
	// Bounded by the deadline: Recv fails once it passes.
	for received := 0; ; received++ {
		if _, err := feed.Recv(); err != nil {
			return received, err
		}
	}
}

func main() {
	os.Exit(banklab.Main(calls{}))
}
