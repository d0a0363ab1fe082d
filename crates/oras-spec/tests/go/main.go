// Prints, one per line, the bytes Go's encoding/json gives the image-spec
// manifest, index and descriptor that the Rust test of the same name
// builds, with strings full of the characters Go escapes specially.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// tricky holds every character whose escaping may differ between JSON
// encoders: HTML-sensitive ones, line and paragraph separators, C0
// controls, DEL and non-ASCII.
const tricky = "a<b>&c \u2028\u2029 \x1b[2J\r\n\t\b\f\x01 \x7f \"q\" \\ é 😀"

func main() {
	layer := ocispec.Descriptor{
		MediaType:   "text/plain",
		Digest:      "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		Size:        5,
		Annotations: map[string]string{ocispec.AnnotationTitle: "<b>&.txt", "z" + tricky: tricky},
	}
	manifest := ocispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: "application/vnd.test+<x>&y",
		Config:       ocispec.DescriptorEmptyJSON,
		Layers:       []ocispec.Descriptor{layer},
		Subject:      &ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: layer.Digest, Size: 5},
		Annotations:  map[string]string{"org.opencontainers.image.created": "2000-01-01T00:00:00Z", "k<&>": tricky},
	}
	index := ocispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageIndex,
		Manifests: []ocispec.Descriptor{{
			MediaType: ocispec.MediaTypeImageManifest,
			Digest:    layer.Digest,
			Size:      5,
			Platform:  &ocispec.Platform{Architecture: "amd64", OS: "linux", OSFeatures: []string{"a&b"}, Variant: "<v>"},
		}},
		Annotations: map[string]string{"ref": tricky},
	}
	for _, v := range []any{manifest, index, layer} {
		b, err := json.Marshal(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Stdout.Write(append(b, '\n'))
	}
}
