// Reference vectors for oras-rs: every case read from the JSON file named
// by the first argument is packed with oras-go v2.7.0's PackManifest into a
// memory store wrapped to record its Exists and Push calls; one JSON line
// per case is printed with the manifest bytes, the returned descriptor as
// encoding/json marshals it, the calls, or the error.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
)

type packCase struct {
	Name                string               `json:"name"`
	Version             int                  `json:"version"`
	ArtifactType        string               `json:"artifactType"`
	Subject             *ocispec.Descriptor  `json:"subject"`
	Layers              []ocispec.Descriptor `json:"layers"`
	ManifestAnnotations map[string]string    `json:"manifestAnnotations"`
	ConfigDescriptor    *ocispec.Descriptor  `json:"configDescriptor"`
	ConfigAnnotations   map[string]string    `json:"configAnnotations"`
	// Twice packs the case a second time into the same store first.
	Twice bool `json:"twice"`
}

type result struct {
	Name       string   `json:"name"`
	Error      string   `json:"error,omitempty"`
	Manifest   string   `json:"manifest,omitempty"`
	Descriptor string   `json:"descriptor,omitempty"`
	Exists     []string `json:"exists"`
	Pushes     []string `json:"pushes"`
}

// recorder is a memory store that records the descriptors it is asked
// about and given, each as encoding/json marshals it (hex).
type recorder struct {
	*memory.Store
	exists []string
	pushes []string
}

func marshal(desc ocispec.Descriptor) string {
	b, err := json.Marshal(desc)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (r *recorder) Exists(ctx context.Context, desc ocispec.Descriptor) (bool, error) {
	r.exists = append(r.exists, marshal(desc))
	return r.Store.Exists(ctx, desc)
}

func (r *recorder) Push(ctx context.Context, desc ocispec.Descriptor, rd io.Reader) error {
	r.pushes = append(r.pushes, marshal(desc))
	return r.Store.Push(ctx, desc, rd)
}

var _ content.Storage = (*recorder)(nil)

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var cases []packCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	ctx := context.Background()
	out := json.NewEncoder(os.Stdout)
	for _, c := range cases {
		store := &recorder{Store: memory.New(), exists: []string{}, pushes: []string{}}
		opts := oras.PackManifestOptions{
			Subject:             c.Subject,
			Layers:              c.Layers,
			ManifestAnnotations: c.ManifestAnnotations,
			ConfigDescriptor:    c.ConfigDescriptor,
			ConfigAnnotations:   c.ConfigAnnotations,
		}
		res := result{Name: c.Name}
		if c.Twice {
			if _, err := oras.PackManifest(ctx, store, oras.PackManifestVersion(c.Version), c.ArtifactType, opts); err != nil {
				panic(err)
			}
		}
		desc, err := oras.PackManifest(ctx, store, oras.PackManifestVersion(c.Version), c.ArtifactType, opts)
		if err != nil {
			res.Error = err.Error()
		} else {
			rc, err := store.Store.Fetch(ctx, desc)
			if err != nil {
				panic(err)
			}
			var buf bytes.Buffer
			if _, err := io.Copy(&buf, rc); err != nil {
				panic(err)
			}
			rc.Close()
			res.Manifest = buf.String()
			res.Descriptor = marshal(desc)
		}
		res.Exists, res.Pushes = store.exists, store.pushes
		if err := out.Encode(res); err != nil {
			panic(err)
		}
	}
}
