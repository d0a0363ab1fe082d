// Command gotar adds directories to an oras-go file store, as the Go oras
// CLI does for `oras push <dir>`, and reports what oras-go made: for each
// job (arguments "<dir>", "<name>", "<reproducible>", "<blob out>", four
// per job) one line with the descriptor's JSON, the gzip blob written to
// "<blob out>".
package main

import (
	"context"
	_ "crypto/sha256" // go-digest's SHA-256, registered as the oras CLI does
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"oras.land/oras-go/v2/content/file"
)

func main() {
	args := os.Args[1:]
	if len(args) == 0 || len(args)%4 != 0 {
		fail(fmt.Errorf("usage: gotar (<dir> <name> <reproducible> <blob out>)..."))
	}
	for i := 0; i < len(args); i += 4 {
		if err := add(args[i], args[i+1], args[i+2] == "true", args[i+3]); err != nil {
			fail(err)
		}
	}
}

func add(dir, name string, reproducible bool, blobOut string) error {
	ctx := context.Background()
	store, err := file.New(filepath.Dir(dir))
	if err != nil {
		return err
	}
	defer store.Close()
	store.TarReproducible = reproducible
	desc, err := store.Add(ctx, name, "", dir)
	if err != nil {
		return err
	}
	rc, err := store.Fetch(ctx, desc)
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.Create(blobOut)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	line, err := json.Marshal(desc)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
