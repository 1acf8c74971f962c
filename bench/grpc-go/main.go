// bank-grpc-go: an idiomatic grpc-go implementation of bank.v1's unary
// calls, the peer our server's Convert is measured against (issue 15).
//
// It serves bank.v1.BankService (ListCurrencies, Convert) and the standard
// grpc.health.v1.Health of google.golang.org/grpc/health on one plaintext
// HTTP/2 port, with grpc.NewServer()'s defaults and no per-call logging.
//
// Lifecycle: listen on -addr, write one line saying so to standard error,
// serve until the process is killed; there is nothing to flush.
package main

import (
	"flag"
	"log"
	"net"

	bankv1 "bank.example/bank/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "the address to listen on, host:port")
	flag.Parse()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("bank-grpc-go: %v", err)
	}
	server := grpc.NewServer()
	bankv1.RegisterBankServiceServer(server, bankServer{})
	checker := health.NewServer() // "" (the whole server) starts SERVING
	checker.SetServingStatus("bank.v1.BankService", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(server, checker)

	log.Printf("bank-grpc-go listening on %s", listener.Addr())
	if err := server.Serve(listener); err != nil {
		log.Fatalf("bank-grpc-go: %v", err)
	}
}
