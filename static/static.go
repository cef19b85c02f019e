// Package static embeds the site's CSS, JavaScript and vendored htmx, and names each file by a hash
// of its content so it can be cached forever: a changed file gets a new URL. It only holds the
// files and their names; package serve turns each into a response, compressed once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"slices"
	"strings"
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
}

var (
	byName   = map[string]*Asset{}
	byHashed = map[string]*Asset{}
	names    []string
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
		}
		byName[p] = a
		byHashed[a.HashedName] = a
		names = append(names, p)
		return nil
	})
	if err != nil {
		panic("static: " + err.Error()) // embedded files are fixed at build time
	}
	slices.Sort(names)
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

// Names lists every asset's plain name, sorted.
func Names() []string { return slices.Clone(names) }
