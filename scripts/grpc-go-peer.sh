#!/usr/bin/env bash
# Builds bench/grpc-go, the idiomatic grpc-go peer our Convert is measured
# against (issue 15), with Debian's Go toolchain and Go packages only: no
# module proxy, no network. Installs nothing.
#
# The stubs are generated from proto/bank/v1/bank.proto on every build
# into target/grpc-go-peer/gopath/src/bank.example/bank/v1 (never committed),
# the folder of the import path the proto's go_package names. Go builds in
# GOPATH mode, where Debian's golang-*-dev
# packages install their sources (/usr/share/gocode).
#
# Usage: scripts/grpc-go-peer.sh [--check]
#   prints the path of the server, target/grpc-go-peer/bank-grpc-go
#   --check  also runs go vet and the unit tests, starts the peer on
#            127.0.0.1:$GO_PEER_PORT (default 51091) and calls it with
#            target/grpc-go-peer/bank-grpc-go-check
# Exits 2 when a tool is missing, naming the apt-get line.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=
[[ ${1:-} == --check ]] && CHECK=1

PACKAGES="golang-go golang-google-grpc-dev golang-github-golang-protobuf-1-5-dev golang-google-protobuf-dev golang-google-genproto-dev protoc-gen-go protoc-gen-go-grpc protobuf-compiler"
missing() {
  echo "$1 is missing: apt-get install -y $PACKAGES" >&2
  exit 2
}
for tool in go protoc protoc-gen-go protoc-gen-go-grpc; do
  command -v "$tool" >/dev/null || missing "$tool"
done
for package in google.golang.org/grpc/health google.golang.org/genproto/googleapis/rpc/errdetails \
  google.golang.org/protobuf/types/known/timestamppb; do
  [[ -d /usr/share/gocode/src/$package ]] || missing "$package"
done

OUT=$PWD/target/grpc-go-peer
GENERATED=$OUT/gopath/src
rm -rf "$GENERATED/bank.example"
mkdir -p "$GENERATED"
protoc -I proto --go_out="$GENERATED" --go-grpc_out="$GENERATED" proto/bank/v1/bank.proto

export GO111MODULE=off GOPATH=/usr/share/gocode:$OUT/gopath GOCACHE=$OUT/go-build GOFLAGS=
go build -o "$OUT/bank-grpc-go" ./bench/grpc-go

if [[ -n $CHECK ]]; then
  go build -o "$OUT/bank-grpc-go-check" ./bench/grpc-go/check
  go vet ./bench/grpc-go ./bench/grpc-go/check
  go test ./bench/grpc-go
  PORT=${GO_PEER_PORT:-51091}
  "$OUT/bank-grpc-go" -addr "127.0.0.1:$PORT" &
  PEER_PID=$!
  trap 'kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null' EXIT
  "$OUT/bank-grpc-go-check" -addr "127.0.0.1:$PORT"
fi
echo "$OUT/bank-grpc-go"
