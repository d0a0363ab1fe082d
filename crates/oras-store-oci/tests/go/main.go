// Reference layouts for oras-rs: the operations read from the JSON file
// named by the first argument are applied in order to an oras-go v2.7.0
// content/oci store over the directory named by the second argument
// (opened afresh where an operation says so). One line is printed for the
// opening and one per operation: "ok", or "error" and the error; a failed
// opening ends the run.
package main

import (
	"context"
	// Registers SHA-256 with go-digest, as every oras-go program does.
	_ "crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content/oci"
)

type operation struct {
	// Op is push, tag, untag, delete, reopen, gc, resolve (printed as
	// "ok" and the descriptor's JSON) or tags (after Reference; printed as
	// "ok" and the tags joined by commas).
	Op         string             `json:"op"`
	Descriptor ocispec.Descriptor `json:"descriptor"`
	// Data is the hex of the pushed content.
	Data      string `json:"data"`
	Reference string `json:"reference"`
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var ops []operation
	if err := json.Unmarshal(raw, &ops); err != nil {
		panic(err)
	}
	ctx := context.Background()
	store, err := oci.New(os.Args[2])
	if err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ok")
	for _, op := range ops {
		switch op.Op {
		case "push":
			data, decodeErr := hex.DecodeString(op.Data)
			if decodeErr != nil {
				panic(decodeErr)
			}
			err = store.Push(ctx, op.Descriptor, strings.NewReader(string(data)))
		case "tag":
			err = store.Tag(ctx, op.Descriptor, op.Reference)
		case "untag":
			err = store.Untag(ctx, op.Reference)
		case "delete":
			err = store.Delete(ctx, op.Descriptor)
		case "gc":
			err = store.GC(ctx)
		case "resolve":
			var desc ocispec.Descriptor
			if desc, err = store.Resolve(ctx, op.Reference); err == nil {
				out, _ := json.Marshal(desc)
				fmt.Println("ok", string(out))
				continue
			}
		case "tags":
			err = store.Tags(ctx, op.Reference, func(tags []string) error {
				fmt.Println("ok", strings.Join(tags, ","))
				return nil
			})
			if err == nil {
				continue
			}
		case "reopen":
			var reopened *oci.Store
			if reopened, err = oci.New(os.Args[2]); err == nil {
				store = reopened
			}
		default:
			panic("unknown operation " + op.Op)
		}
		if err != nil {
			fmt.Println("error", err)
		} else {
			fmt.Println("ok")
		}
	}
}
