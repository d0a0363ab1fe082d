// Command referrers-registry serves an OCI registry with the OCI 1.1
// referrers API (olareg) on a loopback address, for the oras-rs test kit.
//
// Usage:
//
//	referrers-registry -addr 127.0.0.1:PORT -dir DIR [-referrers-limit BYTES]
//
// Storage is a directory per repository under DIR. Manifest and blob
// deletion are enabled, garbage collection is off, and a referrers
// response larger than -referrers-limit bytes is split into pages linked
// with `Link: <...>; rel="next"`. The process stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/olareg/olareg"
	"github.com/olareg/olareg/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "referrers-registry: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address and port to listen on")
	dir := flag.String("dir", "", "storage directory (required)")
	referrersLimit := flag.Int64("referrers-limit", 0, "largest referrers response page in bytes (0: 4 MiB)")
	flag.Parse()
	if *dir == "" {
		return errors.New("-dir is required")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("parsing -addr %q: %w", *addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q is not a loopback IP address", *addr)
	}
	enabled := true
	disabled := false
	conf := config.Config{
		Storage: config.ConfigStorage{
			StoreType: config.StoreDir,
			RootDir:   *dir,
			GC: config.ConfigGC{
				Frequency:         -1,
				GracePeriod:       -1,
				Untagged:          &disabled,
				EmptyRepo:         &disabled,
				ReferrersDangling: &disabled,
				ReferrersWithSubj: &disabled,
			},
		},
		API: config.ConfigAPI{
			PushEnabled:   &enabled,
			DeleteEnabled: &enabled,
			Blob:          config.ConfigAPIBlob{DeleteEnabled: &enabled},
			Referrer: config.ConfigAPIReferrer{
				Enabled: &enabled,
				Limit:   *referrersLimit,
			},
		},
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	handler := olareg.New(conf)
	defer handler.Close()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second}
	fmt.Fprintf(os.Stderr, "referrers-registry: listening on http://%s\n", listener.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return server.Shutdown(shutdown)
}
