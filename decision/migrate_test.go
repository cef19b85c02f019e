package decision

import (
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// Old share links, as they were written by earlier content versions of testdata/versioned.yaml.
func TestMigrateOldLinks(t *testing.T) {
	data, err := os.ReadFile("testdata/versioned.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("versioned.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		link    string
		want    map[string]string
		changed []string
		removed int
		newer   bool
	}{
		{"v1 link: renamed question and options, removed question", "build=website&search=yes&live=realtime&budget=low&v=1", map[string]string{"build": "site", "seo": "yes", "live": "yes"}, nil, 1, false},
		{"v2 link: renamed option, option that no longer exists", "build=website&seo=notsure&live=maybe&v=2", map[string]string{"build": "site", "seo": "notsure"}, []string{"live"}, 0, false},
		{"current link untouched", "build=api&live=no&v=3", map[string]string{"build": "api", "live": "no"}, nil, 0, false},
		{"no version is read as current", "build=api", map[string]string{"build": "api"}, nil, 0, false},
		{"newer version gets a notice", "build=api&v=9", map[string]string{"build": "api"}, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.link)
			up := c.ParseState(q)
			if len(up.Raw) != len(tt.want) {
				t.Fatalf("answers %v, want %v", up.Raw, tt.want)
			}
			for k, v := range tt.want {
				if up.Raw[k] != v {
					t.Errorf("%s = %q, want %q", k, up.Raw[k], v)
				}
			}
			if !slices.Equal(up.Changed, tt.changed) || up.Removed != tt.removed || up.Newer != tt.newer {
				t.Errorf("changed %v removed %d newer %v; want %v %d %v", up.Changed, up.Removed, up.Newer, tt.changed, tt.removed, tt.newer)
			}
		})
	}
}

func TestMigrationOrderValidated(t *testing.T) {
	data, _ := os.ReadFile("testdata/versioned.yaml")
	broken := strings.Replace(string(data), "  - from: 2\n", "  - from: 3\n", 1)
	if _, err := Load("versioned.yaml", []byte(broken)); err == nil || !strings.Contains(err.Error(), "versioned.yaml:8: migration from version 3") {
		t.Fatalf("a migration from the current version was accepted or misreported: %v", err)
	}
}
