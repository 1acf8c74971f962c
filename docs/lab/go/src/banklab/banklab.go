// Package banklab is everything in the lab's Go client but the gRPC calls
// themselves: the connection, the requests, the printing and the checks of
// every figure. The calls are the methods of the Calls interface, which
// the solution (banklab/solution) implements and the skeleton
// (banklab/skeleton) leaves for students to write; both run Main with
// their own Calls.
//
// Lifecycle: one connection (*grpc.ClientConn) for the whole run, every
// call compressed with gzip and bounded by a deadline, every stream by a
// number of messages, so the program ends by itself. Main returns the exit
// code: 0 when every answer checked out, 1 when one did not, 2 when no
// server answered, 3 when a call is not written yet.
//
// The output is line for line that of examples/python/bank_client.py, so
// one test (tests/grpc/lab_clients.rs) checks both against the server.
//
// Money never becomes a float: amounts and rates are decimal strings, and
// the only arithmetic here (checking the server's figures) is exact, in
// math/big rationals, rounded once, half to even, as the server does.
package banklab

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strings"
	"time"

	bankv1 "bank.example/bank/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// DefaultAddress is where a server started with `bank-server` and no
// flags listens.
const DefaultAddress = "127.0.0.1:50051"

// ConnectTimeout bounds the wait for the connection: far more than a
// loopback connection takes; past it, there is no server.
const ConnectTimeout = 10 * time.Second

// CallTimeout is the deadline of every call, streams included: far more
// than any call here needs, so it is only reached when something hangs.
const CallTimeout = 10 * time.Second

// Updates is how many rate updates the bounded feed reads (max_updates).
const Updates = 3

// CancelAfter is how many updates are read from a live feed before it is
// cancelled: the feed starts one tick back, so both come at once.
const CancelAfter = 2

// FeedDeadline is the deadline of the live feed left to run out: half the
// default tick (1 s). The feed sends the current tick at once, and the
// next only if a tick starts within that half second (about one run in
// two on a live server; never on the tests' server, whose clock stands
// still).
const FeedDeadline = 500 * time.Millisecond

// feedPairs are the pairs the feeds quote.
var feedPairs = []string{"EUR/USD", "USD/JPY"}

// item is one conversion to send: request id, amount, from, to.
type item struct{ id, amount, from, to string }

// batchItems are the conversions of the batch. The fifth has three
// decimals, more than USD's two: the batch rejects that item alone.
var batchItems = []item{
	{"b-1", "100", "USD", "EUR"},
	{"b-2", "250.50", "USD", "EUR"},
	{"b-3", "15000", "JPY", "EUR"},
	{"b-4", "1.250", "KWD", "USD"},
	{"b-5", "12.345", "USD", "EUR"},
	{"b-6", "99.99", "EUR", "JPY"},
}

// sessionItems are the conversions of the session, one at a time. The
// second amount is not a number: an error reply, and the session goes on.
var sessionItems = []item{
	{"s-1", "100", "EUR", "USD"},
	{"s-2", "ten", "EUR", "USD"},
	{"s-3", "5000", "JPY", "GBP"},
}

// failingCall is a Convert that fails, to read its error details.
type failingCall struct {
	what     string
	request  item
	language string
}

// failingCalls: the second asks for French.
var failingCalls = []failingCall{
	{"amount not a plain decimal", item{"", "1e5", "EUR", "USD"}, ""},
	{"more decimals than JPY has", item{"", "1.5", "JPY", "USD"}, "fr"},
}

// Calls are the gRPC calls themselves, one method per way of calling.
// Every ctx given carries a deadline already.
type Calls interface {
	// ListCurrencies: unary, an empty request in, the currencies out.
	ListCurrencies(ctx context.Context, bank bankv1.BankServiceClient) (*bankv1.ListCurrenciesResponse, error)
	// Convert: unary, one request in, one response out (or a status error).
	Convert(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.ConvertRequest) (*bankv1.ConvertResponse, error)
	// StreamRates: server streaming, every update the server sends until it
	// ends the stream with OK (max_updates), and the value of the response
	// header bank-replay-ticks.
	StreamRates(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest) ([]*bankv1.RateUpdate, string, error)
	// ConvertBatch: client streaming, every request sent, then the
	// half-close, then the one summary.
	ConvertBatch(ctx context.Context, bank bankv1.BankServiceClient, requests []*bankv1.ConvertRequest) (*bankv1.BatchSummary, error)
	// ConvertSession: bidirectional, each request sent and its reply read
	// before the next is sent (reply is called with both), then the
	// half-close and the server's end of the call (io.EOF: OK).
	ConvertSession(ctx context.Context, bank bankv1.BankServiceClient, requests []*bankv1.ConvertRequest,
		reply func(*bankv1.ConvertRequest, *bankv1.SessionReply) error) error
	// ReadThenCancel: cancellation, a live feed opened, `count` updates
	// read, the call cancelled; returns the sequences read and the error
	// the stream then gives (a status, CANCELLED).
	ReadThenCancel(ctx context.Context, bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest, count int) ([]uint64, error)
	// ReadUntilDeadline: a deadline, a live feed opened with `deadline`
	// and read until it ends; returns the updates read and the error that
	// ended it (a status, DEADLINE_EXCEEDED).
	ReadUntilDeadline(bank bankv1.BankServiceClient, request *bankv1.StreamRatesRequest, deadline time.Duration) (int, error)
}

// NotWritten is the error of a call the skeleton leaves to write; hint
// says how.
type NotWritten struct{ Hint string }

func (todo NotWritten) Error() string { return "not written yet: " + todo.Hint }

// mismatch: the server answered, but not what the contract promises.
type mismatch struct{ what string }

func (m mismatch) Error() string { return "unexpected answer: " + m.what }

func mismatchf(format string, args ...any) error { return mismatch{fmt.Sprintf(format, args...)} }

// exact is an exact decimal, parsed from the contract's decimal strings.
func exact(text string) (*big.Rat, error) {
	value, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, mismatchf("%q is not a decimal", text)
	}
	return value, nil
}

// quantize writes value rounded once, half to even, to minorUnits
// decimals: how the server rounds every converted amount.
func quantize(value *big.Rat, minorUnits uint32) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(minorUnits)), nil)
	scaled := new(big.Rat).Mul(value, new(big.Rat).SetInt(scale))
	quotient, remainder := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	// Amounts are never negative here: compare twice the remainder with
	// the denominator to round half to even.
	switch new(big.Int).Lsh(remainder, 1).Cmp(scaled.Denom()) {
	case 1:
		quotient.Add(quotient, big.NewInt(1))
	case 0:
		if quotient.Bit(0) == 1 {
			quotient.Add(quotient, big.NewInt(1))
		}
	}
	digits := quotient.String()
	if minorUnits == 0 {
		return digits
	}
	if pad := int(minorUnits) + 1 - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	split := len(digits) - int(minorUnits)
	return digits[:split] + "." + digits[split:]
}

// product is amount × rate, rounded to minorUnits.
func product(amount, rate string, minorUnits uint32) (string, error) {
	a, err := exact(amount)
	if err != nil {
		return "", err
	}
	r, err := exact(rate)
	if err != nil {
		return "", err
	}
	return quantize(new(big.Rat).Mul(a, r), minorUnits), nil
}

// CodeName is a status code as the gRPC specification writes it
// (CANCELLED, DEADLINE_EXCEEDED): grpc-go's String() says "Canceled".
func CodeName(code codes.Code) string {
	names := map[codes.Code]string{
		codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN",
		codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
		codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
		codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
		codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED",
		codes.OutOfRange: "OUT_OF_RANGE", codes.Unimplemented: "UNIMPLEMENTED",
		codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE", codes.DataLoss: "DATA_LOSS",
		codes.Unauthenticated: "UNAUTHENTICATED",
	}
	if name, ok := names[code]; ok {
		return name
	}
	return code.String()
}

func request(it item) *bankv1.ConvertRequest {
	return &bankv1.ConvertRequest{RequestId: it.id, Amount: it.amount, FromCurrency: it.from, ToCurrency: it.to}
}

func describeConversion(reply *bankv1.ConvertResponse) string {
	return fmt.Sprintf("%s %s = %s %s at %s (tick %d)", reply.Amount, reply.FromCurrency,
		reply.ConvertedAmount, reply.ToCurrency, reply.Rate, reply.RateSequence)
}

// checkConversion recomputes a conversion from its own rate.
func checkConversion(reply *bankv1.ConvertResponse, minorUnits map[string]uint32) error {
	expected, err := product(reply.Amount, reply.Rate, minorUnits[reply.ToCurrency])
	if err != nil {
		return err
	}
	if expected != reply.ConvertedAmount {
		return mismatchf("%s %s, expected %s", reply.ConvertedAmount, reply.ToCurrency, expected)
	}
	return nil
}

// lab runs the steps with one client and one set of calls.
type lab struct {
	calls      Calls
	bank       bankv1.BankServiceClient
	minorUnits map[string]uint32
}

// withDeadline is a context bounded by CallTimeout.
func withDeadline() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), CallTimeout)
}

func (l *lab) listCurrencies() error {
	ctx, cancel := withDeadline()
	defer cancel()
	response, err := l.calls.ListCurrencies(ctx, l.bank)
	if err != nil {
		return err
	}
	l.minorUnits = map[string]uint32{}
	for _, currency := range response.Currencies {
		l.minorUnits[currency.Code] = currency.MinorUnits
	}
	fmt.Printf("ListCurrencies: %d currencies; minor units JPY %d, USD %d, KWD %d\n",
		len(response.Currencies), l.minorUnits["JPY"], l.minorUnits["USD"], l.minorUnits["KWD"])
	return nil
}

func (l *lab) convert() (*bankv1.ConvertResponse, error) {
	ctx, cancel := withDeadline()
	defer cancel()
	reply, err := l.calls.Convert(ctx, l.bank, request(item{"go-1", "100", "USD", "EUR"}))
	if err != nil {
		return nil, err
	}
	if err := checkConversion(reply, l.minorUnits); err != nil {
		return nil, err
	}
	fmt.Printf("Convert go-1: %s\n", describeConversion(reply))
	fmt.Printf("  checked: %s x %s, rounded half to even = %s\n", reply.Amount, reply.Rate, reply.ConvertedAmount)
	return reply, nil
}

// streamRates replays the last Updates ticks: they come at once, and the
// same on every server started with the same seed.
func (l *lab) streamRates(currentTick uint64) error {
	start := uint64(1)
	if currentTick > Updates {
		start = currentTick - (Updates - 1)
	}
	ctx, cancel := withDeadline()
	defer cancel()
	request := &bankv1.StreamRatesRequest{Pairs: feedPairs, MaxUpdates: Updates, FromSequence: start}
	updates, replayed, err := l.calls.StreamRates(ctx, l.bank, request)
	if err != nil {
		return err
	}
	if replayed == "" {
		replayed = "0"
	}
	fmt.Printf("StreamRates from tick %d: %s ticks replayed, %d updates\n", start, replayed, Updates)
	for _, update := range updates {
		quotes := make([]string, 0, len(update.Quotes))
		for _, quote := range update.Quotes {
			quotes = append(quotes, quote.Pair+" mid "+quote.Mid)
		}
		fmt.Printf("  #%d %s %s\n", update.Sequence, update.Time.AsTime().UTC().Format(time.RFC3339Nano), strings.Join(quotes, "; "))
	}
	if len(updates) != Updates {
		return mismatchf("%d updates, expected %d", len(updates), Updates)
	}
	return nil
}

func (l *lab) convertBatch() error {
	fmt.Printf("ConvertBatch: %d requests on one call, one summary\n", len(batchItems))
	requests := make([]*bankv1.ConvertRequest, 0, len(batchItems))
	for _, it := range batchItems {
		fmt.Printf("  sent %s: %s %s to %s\n", it.id, it.amount, it.from, it.to)
		requests = append(requests, request(it))
	}
	ctx, cancel := withDeadline()
	defer cancel()
	summary, err := l.calls.ConvertBatch(ctx, l.bank, requests)
	if err != nil {
		return err
	}
	fmt.Printf("  summary: %d accepted, %d rejected, priced at tick %d\n", summary.Accepted, summary.Rejected, summary.RateSequence)
	// The totals, recomputed from the quotes the summary lists.
	mids := map[string]string{}
	for _, quote := range summary.Rates {
		mids[quote.Pair] = quote.Mid
	}
	rejected := map[uint64]bool{}
	for _, itemError := range summary.Errors {
		rejected[itemError.Index] = true
	}
	expected := map[string]*big.Rat{}
	for index, it := range batchItems {
		if rejected[uint64(index)] {
			continue
		}
		converted, err := product(it.amount, mids[it.from+"/"+it.to], l.minorUnits[it.to])
		if err != nil {
			return err
		}
		value, err := exact(converted)
		if err != nil {
			return err
		}
		if expected[it.to] == nil {
			expected[it.to] = new(big.Rat)
		}
		expected[it.to].Add(expected[it.to], value)
	}
	currencies := []string{}
	for _, total := range summary.Totals {
		recomputed := "none"
		if sum := expected[total.Currency]; sum != nil {
			recomputed = quantize(sum, l.minorUnits[total.Currency])
		}
		items := "items"
		if total.Count == 1 {
			items = "item"
		}
		fmt.Printf("  total %s %s over %d %s; recomputed %s\n", total.Currency, total.Total, total.Count, items, recomputed)
		if recomputed != total.Total {
			return mismatchf("total %s %s, recomputed %s", total.Currency, total.Total, recomputed)
		}
		currencies = append(currencies, total.Currency)
	}
	if len(currencies) != len(expected) || !sort.StringsAreSorted(currencies) {
		return mismatchf("the totals do not cover the accepted items' currencies, sorted")
	}
	for _, itemError := range summary.Errors {
		fmt.Printf("  item %d (%s) rejected: %s, field %s: %s\n", itemError.Index, itemError.RequestId,
			itemError.Code, itemError.Field, itemError.Message)
	}
	return nil
}

func (l *lab) convertSession() error {
	fmt.Println("ConvertSession: one reply per request, in order")
	requests := make([]*bankv1.ConvertRequest, 0, len(sessionItems))
	for _, it := range sessionItems {
		requests = append(requests, request(it))
	}
	ctx, cancel := withDeadline()
	defer cancel()
	replies := 0
	err := l.calls.ConvertSession(ctx, l.bank, requests, func(sent *bankv1.ConvertRequest, reply *bankv1.SessionReply) error {
		replies++
		fmt.Printf("  sent %s: %s %s to %s\n", sent.RequestId, sent.Amount, sent.FromCurrency, sent.ToCurrency)
		// A oneof: the Go type of Outcome says which field the server set.
		switch outcome := reply.Outcome.(type) {
		case *bankv1.SessionReply_Conversion:
			if err := checkConversion(outcome.Conversion, l.minorUnits); err != nil {
				return err
			}
			fmt.Printf("  reply %s: %s\n", outcome.Conversion.RequestId, describeConversion(outcome.Conversion))
		case *bankv1.SessionReply_Error:
			e := outcome.Error
			fmt.Printf("  reply %s: error %s, field %s: %s\n", e.RequestId, e.Code, e.Field, e.Message)
		default:
			return mismatchf("a reply with no outcome to %s", sent.RequestId)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if replies != len(requests) {
		return mismatchf("%d replies to %d requests", replies, len(requests))
	}
	return nil
}

func (l *lab) cancelFeed(currentTick uint64) error {
	start := currentTick - (CancelAfter - 1)
	ctx, cancel := withDeadline()
	defer cancel()
	request := &bankv1.StreamRatesRequest{Pairs: feedPairs[:1], FromSequence: start}
	sequences, err := l.calls.ReadThenCancel(ctx, l.bank, request, CancelAfter)
	if errors.As(err, &NotWritten{}) {
		return err
	}
	read := make([]string, 0, len(sequences))
	for _, sequence := range sequences {
		read = append(read, fmt.Sprintf("#%d", sequence))
	}
	code := CodeName(status.Code(err))
	fmt.Printf("Cancellation: a live feed from tick %d, read %s, then cancelled: %s\n", start, strings.Join(read, ", "), code)
	if status.Code(err) != codes.Canceled || len(sequences) != CancelAfter {
		return mismatchf("the cancelled feed ended with %s after %d updates", code, len(sequences))
	}
	return nil
}

func (l *lab) feedPastItsDeadline() error {
	request := &bankv1.StreamRatesRequest{Pairs: feedPairs[:1]}
	received, err := l.calls.ReadUntilDeadline(l.bank, request, FeedDeadline)
	if errors.As(err, &NotWritten{}) {
		return err
	}
	updates := "updates"
	if received == 1 {
		updates = "update"
	}
	code := CodeName(status.Code(err))
	fmt.Printf("Deadline: a live feed with a %g s deadline: %s after %d %s\n", FeedDeadline.Seconds(), code, received, updates)
	if status.Code(err) != codes.DeadlineExceeded {
		return mismatchf("the feed ended with %s", code)
	}
	return nil
}

// showErrorDetails reads the rich error model: a failed call's status
// carries a google.rpc.Status in its trailers (grpc-status-details-bin);
// status.Details decodes each google.protobuf.Any into its Go type.
func (l *lab) showErrorDetails() error {
	fmt.Println("Errors: the details of failing calls")
	for _, call := range failingCalls {
		ctx, cancel := withDeadline()
		heading := fmt.Sprintf("  Convert %s %s to %s (%s)", call.request.amount, call.request.from, call.request.to, call.what)
		if call.language != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "accept-language", call.language)
			heading += ", accept-language: " + call.language
		}
		_, err := l.calls.Convert(ctx, l.bank, request(call.request))
		cancel()
		if err == nil {
			return mismatchf("%s: converted, expected an error", heading)
		}
		if errors.As(err, &NotWritten{}) {
			return err
		}
		failure := status.Convert(err)
		fmt.Printf("%s: %s\n", heading, CodeName(failure.Code()))
		fmt.Printf("    message: %s\n", failure.Message())
		if len(failure.Details()) == 0 {
			return mismatchf("the status carries no details")
		}
		for _, detail := range failure.Details() {
			printDetail(detail)
		}
	}
	return nil
}

func printDetail(detail any) {
	switch detail := detail.(type) {
	case *errdetails.BadRequest:
		for _, violation := range detail.FieldViolations {
			fmt.Printf("    BadRequest: field %s: %s\n", violation.Field, violation.Description)
		}
	case *errdetails.ErrorInfo:
		keys := make([]string, 0, len(detail.Metadata))
		for key := range detail.Metadata {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		pairs := make([]string, 0, len(keys))
		for _, key := range keys {
			pairs = append(pairs, key+"="+detail.Metadata[key])
		}
		fmt.Printf("    ErrorInfo: reason %s, domain %s, metadata %s\n", detail.Reason, detail.Domain, strings.Join(pairs, ", "))
	case *errdetails.LocalizedMessage:
		fmt.Printf("    LocalizedMessage (%s): %s\n", detail.Locale, detail.Message)
	case error:
		fmt.Printf("    a detail that did not decode: %v\n", detail)
	default:
		fmt.Printf("    another detail: %T\n", detail)
	}
}

// Main parses the command line (ADDRESS, default DefaultAddress), runs
// every step with calls and returns the exit code.
func Main(calls Calls) int {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [ADDRESS]\n", os.Args[0])
	}
	flag.Parse()
	address := DefaultAddress
	if flag.NArg() > 0 {
		address = flag.Arg(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ConnectTimeout)
	defer cancel()
	// One connection for every call. UseCompressor makes every call say
	// grpc-encoding: gzip and compress what it sends; the server accepts
	// gzip and answers compressed.
	conn, err := grpc.DialContext(ctx, address, grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "no server at %s: %v\n", address, err)
		return 2
	}
	defer conn.Close()
	fmt.Printf("Channel to %s, compression gzip\n", address)
	l := &lab{calls: calls, bank: bankv1.NewBankServiceClient(conn)}
	err = l.run()
	var todo NotWritten
	var wrong mismatch
	switch {
	case err == nil:
		return 0
	case errors.As(err, &todo):
		fmt.Fprintln(os.Stderr, todo.Error())
		return 3
	case errors.As(err, &wrong):
		fmt.Fprintln(os.Stderr, wrong.Error())
		return 1
	default:
		failure := status.Convert(err)
		fmt.Fprintf(os.Stderr, "call failed: %s: %s\n", CodeName(failure.Code()), failure.Message())
		return 1
	}
}

func (l *lab) run() error {
	if err := l.listCurrencies(); err != nil {
		return err
	}
	converted, err := l.convert()
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return l.streamRates(converted.RateSequence) },
		l.convertBatch,
		l.convertSession,
		func() error { return l.cancelFeed(converted.RateSequence) },
		l.feedPastItsDeadline,
		l.showErrorDetails,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// EndOfStream tells the end of a stream with OK (io.EOF) from a failure:
// it is nil for io.EOF and err otherwise.
func EndOfStream(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}
