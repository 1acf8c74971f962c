// bank-grpc-go-check: calls a running bank.v1 server through grpc-go's
// generated client and checks the answers a benchmark relies on: Convert
// of 100 USD to EUR gives an amount with two decimals, bad input gives
// INVALID_ARGUMENT with the contract's reason, Health/Check says SERVING.
// It asks only what the contract promises of any bank.v1 server.
//
// Lifecycle: dial -addr, make each call once with a deadline, print one
// line per check, exit 1 if any failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"

	bankv1 "bank.example/bank/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// patience bounds the connection and every call: a loopback server that
// takes longer is not answering.
const patience = 5 * time.Second

// twoDecimals is the shape of a EUR amount.
var twoDecimals = regexp.MustCompile(`^(0|[1-9][0-9]*)\.[0-9]{2}$`)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "the server to check, host:port")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *addr, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot reach %s: %v\n", *addr, err)
		os.Exit(1)
	}
	defer conn.Close()
	bank := bankv1.NewBankServiceClient(conn)
	failed := false
	report := func(ok bool, format string, args ...interface{}) {
		verdict := "ok  "
		if !ok {
			verdict, failed = "FAIL", true
		}
		fmt.Printf("%s "+format+"\n", append([]interface{}{verdict}, args...)...)
	}

	answer, err := bank.Convert(ctx, &bankv1.ConvertRequest{Amount: "100", FromCurrency: "USD", ToCurrency: "EUR", RequestId: "check-1"})
	if err != nil {
		report(false, "Convert 100 USD to EUR: %v", err)
	} else {
		report(answer.Amount == "100.00" && twoDecimals.MatchString(answer.ConvertedAmount) && answer.RequestId == "check-1",
			"Convert 100 USD to EUR: %s %s = %s %s at %s (tick %d)", answer.Amount, answer.FromCurrency,
			answer.ConvertedAmount, answer.ToCurrency, answer.Rate, answer.RateSequence)
	}

	for _, bad := range []struct{ amount, from, to, reason string }{
		{"1e5", "USD", "EUR", "AMOUNT_NOT_DECIMAL"},
		{"100.001", "USD", "EUR", "AMOUNT_TOO_PRECISE"},
		{"0", "USD", "EUR", "AMOUNT_NOT_POSITIVE"},
		{"100", "usd", "EUR", "CURRENCY_CODE_MALFORMED"},
		{"100", "USD", "XXX", "CURRENCY_NOT_SUPPORTED"},
	} {
		_, err := bank.Convert(ctx, &bankv1.ConvertRequest{Amount: bad.amount, FromCurrency: bad.from, ToCurrency: bad.to})
		refused := status.Convert(err)
		report(refused.Code() == codes.InvalidArgument && reasonOf(refused) == bad.reason,
			"Convert %q %s to %s: %s %s", bad.amount, bad.from, bad.to, refused.Code(), reasonOf(refused))
	}

	listed, err := bank.ListCurrencies(ctx, &bankv1.ListCurrenciesRequest{})
	report(err == nil && len(listed.GetCurrencies()) > 0, "ListCurrencies: %d currencies %v", len(listed.GetCurrencies()), err)

	health, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	report(err == nil && health.GetStatus() == healthpb.HealthCheckResponse_SERVING, "Health/Check: %s %v", health.GetStatus(), err)

	if failed {
		os.Exit(1)
	}
}

// reasonOf is the google.rpc.ErrorInfo reason a status carries, or "".
func reasonOf(refused *status.Status) string {
	for _, detail := range refused.Details() {
		if info, ok := detail.(*errdetails.ErrorInfo); ok {
			return info.Reason
		}
	}
	return ""
}
