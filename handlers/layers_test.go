package handlers

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// coreFiles are the handlers' core: the server, reading a request, the cache entry point,
// rendering, links, errors and problems, metrics. routes.go sits above everything: it wires the
// features to the core.
var coreFiles = []string{"server.go", "request.go", "cache.go", "render.go", "site.go", "errors.go", "problem.go", "metrics.go"}

// TestCoreCallsNoFeature: no core file uses a name that only a feature file (a page, the API,
// the team, oEmbed, ...) declares, so the core can be read, and changed, on its own.
func TestCoreCallsNoFeature(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("nestnext/handlers", fset, files, info)
	if err != nil {
		t.Fatal(err)
	}
	fileOf := func(p token.Pos) string { return filepath.Base(fset.Position(p).Filename) }
	for _, c := range coreFiles {
		if !slices.ContainsFunc(files, func(f *ast.File) bool { return fileOf(f.Pos()) == c }) {
			t.Fatalf("core file %s is missing: update coreFiles", c)
		}
	}
	var bad []string
	for id, obj := range info.Uses {
		if obj.Pkg() != pkg || !obj.Pos().IsValid() {
			continue
		}
		// Only what the package declares at its top level, or a method of its types.
		if obj.Parent() != pkg.Scope() {
			if fn, ok := obj.(*types.Func); !ok || fn.Signature().Recv() == nil {
				continue
			}
		}
		from, to := fileOf(id.Pos()), fileOf(obj.Pos())
		if slices.Contains(coreFiles, from) && !slices.Contains(coreFiles, to) {
			bad = append(bad, fmt.Sprintf("%s: %s (declared in %s)", fset.Position(id.Pos()), id.Name, to))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("core uses a feature: %s", b)
	}
}
