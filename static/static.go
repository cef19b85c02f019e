// Package static embeds the site's CSS, JavaScript and vendored htmx, and names each file by a hash
// of its content so it can be cached forever: a changed file gets a new URL.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
)

//go:embed *.css *.js *.svg vendor
var files embed.FS

// Prefix is where the assets are served.
const Prefix = "/static/"

// Asset is one embedded file.
type Asset struct {
	Name        string // e.g. app.css
	HashedName  string // e.g. app.3f2a1b9c0d.css
	ContentType string
	Body        []byte
	// ETag is a strong validator from the content hash.
	ETag string
	// Gzip and Brotli are the body precompressed once at start-up (nil when not worth it).
	Gzip, Brotli []byte
}

var (
	byName   = map[string]*Asset{}
	byHashed = map[string]*Asset{}
)

func init() {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(p)
		a := &Asset{
			Name:        p,
			HashedName:  strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext,
			ContentType: contentType(ext),
			Body:        body,
			ETag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
		}
		if ext != ".md" && ext != ".txt" && len(body) > 512 {
			a.Gzip, a.Brotli = gzipBytes(body), brotliBytes(body)
		}
		byName[p] = a
		byHashed[a.HashedName] = a
		return nil
	})
	if err != nil {
		panic("static: " + err.Error()) // embedded files are fixed at build time
	}
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	default:
		return "text/plain; charset=utf-8"
	}
}

// Path returns the URL of the named asset under its hashed name. It panics on an unknown name so a
// typo fails every test that renders the page.
func Path(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return Prefix + a.HashedName
}

// Lookup finds an asset by its hashed name (immutable) or its plain name (not cached for long).
func Lookup(name string) (a *Asset, hashed bool) {
	if a, ok := byHashed[name]; ok {
		return a, true
	}
	return byName[name], false
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func brotliBytes(b []byte) []byte {
	var buf bytes.Buffer
	// A window just big enough for the largest asset: the default 4 MB window makes the encoder
	// allocate and clear ~12 MB per file at start-up, for the same output.
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 6, LGWin: 16})
	w.Write(b)
	w.Close()
	return buf.Bytes()
}
