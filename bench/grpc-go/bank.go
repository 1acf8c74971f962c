// The bank.v1.BankService of the grpc-go peer: ListCurrencies and Convert.
//
// Handlers are the stubs protoc-gen-go-grpc generates from
// proto/bank/v1/bank.proto; the streaming RPCs and GetRateHistory stay
// UNIMPLEMENTED (the embedded UnimplementedBankServiceServer answers them).
// A bad request gets the contract's status: INVALID_ARGUMENT or
// OUT_OF_RANGE with a google.rpc.ErrorInfo (domain "bank.v1", the
// contract's reason) and a google.rpc.BadRequest naming the field.
//
// Lifecycle: one bankServer is registered when the program starts; it
// holds no state, so grpc-go runs its handlers concurrently as calls come.
package main

import (
	"context"
	"time"

	bankv1 "bank.example/bank/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// tick is the length of a rate tick, the Rust server's default: a
// response names the tick it was priced at, as the contract asks.
const tick = time.Second

// maxRequestIDBytes: a request id is echoed back, so it is capped, as the
// contract says (REQUEST_ID_TOO_LONG).
const maxRequestIDBytes = 128

// errorDomain is the google.rpc.ErrorInfo domain of every error.
const errorDomain = "bank.v1"

type bankServer struct {
	bankv1.UnimplementedBankServiceServer
}

// ListCurrencies answers every supported currency, sorted by code.
func (bankServer) ListCurrencies(context.Context, *bankv1.ListCurrenciesRequest) (*bankv1.ListCurrenciesResponse, error) {
	response := &bankv1.ListCurrenciesResponse{}
	for _, c := range currencies {
		response.Currencies = append(response.Currencies, &bankv1.Currency{
			Code: c.code, Name: c.name, MinorUnits: uint32(c.minorUnits),
		})
	}
	return response, nil
}

// Convert prices an amount at the mid rate of the tick in progress (or of
// the tick containing `at`), fields checked in the Rust server's order:
// from_currency, to_currency, amount, request_id, at.
func (bankServer) Convert(_ context.Context, request *bankv1.ConvertRequest) (*bankv1.ConvertResponse, error) {
	from, bad := parseCurrency("from_currency", request.FromCurrency)
	if bad != nil {
		return nil, refuse(codes.InvalidArgument, bad)
	}
	to, bad := parseCurrency("to_currency", request.ToCurrency)
	if bad != nil {
		return nil, refuse(codes.InvalidArgument, bad)
	}
	minor, bad := parseAmount(request.Amount, from)
	if bad != nil {
		return nil, refuse(codes.InvalidArgument, bad)
	}
	if len(request.RequestId) > maxRequestIDBytes {
		return nil, refuse(codes.InvalidArgument, &inputError{"request_id", "REQUEST_ID_TOO_LONG", "request_id is over 128 bytes"})
	}
	instant := time.Now()
	if request.At != nil {
		if request.At.CheckValid() != nil || request.At.Seconds < 0 {
			return nil, refuse(codes.InvalidArgument, &inputError{"at", "TIME_MALFORMED", "at is before 1970 or malformed"})
		}
		if request.At.AsTime().After(instant) {
			return nil, refuse(codes.OutOfRange, &inputError{"at", "TICK_NOT_STARTED", "at is in the future"})
		}
		instant = request.At.AsTime()
	}
	sequence := instant.UnixMilli() / tick.Milliseconds()
	r := rates[from.index][to.index]
	return &bankv1.ConvertResponse{
		RequestId:       request.RequestId,
		Amount:          formatMinor(minor, from.minorUnits),
		FromCurrency:    from.code,
		ToCurrency:      to.code,
		ConvertedAmount: formatMinor(convert(minor, from, to, r), to.minorUnits),
		Rate:            r.text,
		RateSequence:    uint64(sequence),
		RateTime:        timestamppb.New(time.UnixMilli(sequence * tick.Milliseconds())),
	}, nil
}

// refuse is the status of a refused field, with its details.
func refuse(code codes.Code, bad *inputError) error {
	refused := status.New(code, bad.message)
	detailed, err := refused.WithDetails(
		&errdetails.ErrorInfo{Reason: bad.reason, Domain: errorDomain},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: bad.field, Description: bad.message},
		}},
	)
	if err != nil {
		return refused.Err()
	}
	return detailed.Err()
}
