package decision

// Native fuzz tests for the URL-state decoder and the engine. Seed corpora live in
// testdata/fuzz/<FuzzName>/ and run with every `go test`; scripts/fuzz.sh fuzzes each target for
// a while. Each iteration is cheap: one query string or one answer set, against the embedded
// content and testdata/versioned.yaml (version 3, with migrations, so old links are exercised).

import (
	"errors"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fuzzMaxQuery is the longest query string the server reads (longer ones get 414).
const fuzzMaxQuery = 4096

// fuzzContents loads the contents every fuzz target runs against.
func fuzzContents(f *testing.F) []*Content {
	f.Helper()
	def, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile("testdata/versioned.yaml")
	if err != nil {
		f.Fatal(err)
	}
	versioned, err := Load("versioned.yaml", data)
	if err != nil {
		f.Fatal(err)
	}
	return []*Content{def, versioned}
}

func FuzzParseState(f *testing.F) {
	contents := fuzzContents(f)
	for _, seed := range []string{
		"",
		"build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=1",
		"build=api&logic=simple&realtime=no&team=java&quality=essential&v=1",
		"build=site&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&team=notsure&share=notsure&quality=notsure&v=1",
		"build=site&logic=huge&seo=critical&v=1",
		"build=api&build=site&v=1&v=2",
		"v=-1", "v=0", "v=99999999999999999999", "v=1e9", "v=9",
		"build=site&changed=build,nope,seo,,build&v=1",
		"build=%ff%fe&logic=%00&v=1",
		"build=%zz&logic=simple&v=1;seo=none",
		"build=<script>alert(1)</script>&logic={{.}}&v=${7*7}",
		"build=website&search=yes&live=realtime&budget=low&v=1",
		"build=website&seo=notsure&live=maybe&v=2",
		"build=api&live=no&v=3",
		"seo=yes&search=no&v=1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if len(raw) > fuzzMaxQuery {
			t.Skip("longer than any query string the server reads")
		}
		q, _ := url.ParseQuery(raw)
		for _, c := range contents {
			fuzzCheckQuery(t, c, q)
		}
	})
}

// fuzzCheckQuery decodes q, replays and evaluates it, and round-trips the answers through Encode.
func fuzzCheckQuery(t *testing.T, c *Content, q url.Values) {
	t.Helper()
	st := c.ParseState(q)
	// The same link must always say the same thing. Reading an old version's link iterates maps,
	// whose order is random, so read those many times.
	reads := 1
	if st.Version > 0 && st.Version < c.Version {
		reads = 32
	}
	for range reads {
		again := c.ParseState(q)
		if !maps.Equal(st.Raw, again.Raw) || !slices.Equal(st.Changed, again.Changed) || st.Removed != again.Removed || st.Newer != again.Newer || st.Version != again.Version {
			t.Fatalf("v%d content: ParseState is not deterministic (%d parameters):\n%+v\n%+v", c.Version, len(q), st, again)
		}
	}
	// Removed counts answers to questions that no longer exist, and the visitor is told that many
	// of their answers were left out. Parameters that never named a question (utm_source, fbclid,
	// anything the migrations do not list as removed or renamed) are not answers: they are ignored,
	// as they are in a current link.
	if gone := fuzzGoneParams(c, q); st.Removed > gone {
		t.Fatalf("v%d content: Removed = %d, but only %d parameters name a question the migrations removed or renamed (the rest never were questions)", c.Version, st.Removed, gone)
	}
	if st.Version < 0 || st.Removed < 0 {
		t.Fatalf("version %d, removed %d", st.Version, st.Removed)
	}
	if st.Newer != (st.Version > c.Version) {
		t.Fatalf("Newer %v for link version %d, content version %d", st.Newer, st.Version, c.Version)
	}
	for id, v := range st.Raw {
		qu := c.Question(id)
		if qu == nil {
			t.Fatalf("v%d content: state holds unknown question %q", c.Version, id)
		}
		if len(v) > maxValueLen && qu.Option(v) == nil {
			t.Fatalf("value for %s is %d bytes, over the %d-byte bound", id, len(v), maxValueLen)
		}
	}
	seen := map[string]bool{}
	for _, id := range st.Changed {
		if c.Question(id) == nil || seen[id] {
			t.Fatalf("changed lists unknown or repeated question %q: %v", id, st.Changed)
		}
		seen[id] = true
	}

	rp := c.Replay(st.Raw)
	fuzzCheckReplay(t, c, st.Raw, &rp)
	if rp.Complete() {
		res := fuzzCheckResult(t, c, &rp)
		for _, alt := range c.Counterfactuals(&rp, res) {
			if !alt.Flips(res) {
				t.Fatalf("counterfactual %s=%s does not flip %s", alt.Question.ID, alt.To.ID, res.Outcome.ID)
			}
			fuzzCheckAlternative(t, c, &rp, &alt)
		}
		for _, oq := range c.OpenQuestions(&rp, res) {
			if o := oq.Question.Option(rp.Answers[oq.Question.ID]); o == nil || !o.Unsure {
				t.Fatalf("open question %s is answered %q, not Not sure", oq.Question.ID, rp.Answers[oq.Question.ID])
			}
			for _, alt := range oq.Alternatives {
				fuzzCheckAlternative(t, c, &rp, &alt)
			}
		}
	}

	// Encode writes the kept answers canonically, and reading that link gives them back.
	enc := c.Encode(rp.Answers)
	back := fuzzCheckEncoded(t, c, enc, rp.Answers)
	st2 := c.ParseState(back)
	if st2.Version != c.Version || st2.Newer || st2.Removed != 0 || len(st2.Changed) != 0 {
		t.Fatalf("re-reading %q: version %d newer %v removed %d changed %v", enc, st2.Version, st2.Newer, st2.Removed, st2.Changed)
	}
	rp2 := c.Replay(st2.Raw)
	if !maps.Equal(rp2.Answers, rp.Answers) {
		t.Fatalf("round trip through %q: answers %v, want %v", enc, rp2.Answers, rp.Answers)
	}
	if enc2 := c.Encode(rp2.Answers); enc2 != enc {
		t.Fatalf("Encode is not canonical: %q then %q", enc, enc2)
	}
	// Unrecognised values ride along in redirects (escaped): they must come back byte for byte.
	withInvalid := rp.Answers
	for _, qu := range rp.Invalid {
		withInvalid = withInvalid.With(qu.ID, st.Raw[qu.ID])
	}
	fuzzCheckEncoded(t, c, c.Encode(withInvalid), withInvalid)
}

// fuzzCheckEncoded checks Encode's output is a valid query string of known ids, in content order
// and then v=, that decodes to exactly want.
func fuzzCheckEncoded(t *testing.T, c *Content, enc string, want Answers) url.Values {
	t.Helper()
	back, err := url.ParseQuery(enc)
	if err != nil {
		t.Fatalf("Encode wrote an invalid query %q: %v", enc, err)
	}
	if got := back[VersionParam]; len(got) != 1 || got[0] != strconv.Itoa(c.Version) {
		t.Fatalf("Encode %q: v=%v, want %d", enc, got, c.Version)
	}
	last := -1
	for _, pair := range strings.Split(enc, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if k == VersionParam {
			continue
		}
		qu := c.Question(k)
		if qu == nil {
			t.Fatalf("Encode %q names unknown id %q", enc, k)
		}
		if qu.Position <= last {
			t.Fatalf("Encode %q is not in content order (or repeats %s)", enc, k)
		}
		last = qu.Position
	}
	if !strings.HasSuffix(enc, VersionParam+"="+strconv.Itoa(c.Version)) {
		t.Fatalf("Encode %q does not end with the version", enc)
	}
	if len(back) != len(want)+1 {
		t.Fatalf("Encode %q has %d parameters, want %d answers and v", enc, len(back), len(want))
	}
	for id, v := range want {
		if got := back[id]; len(got) != 1 || got[0] != v {
			t.Fatalf("Encode %q: %s=%q, want %q", enc, id, got, v)
		}
	}
	return back
}

// fuzzCheckReplay checks a replay against the raw answers it came from.
func fuzzCheckReplay(t *testing.T, c *Content, raw map[string]string, rp *Replay) {
	t.Helper()
	given := func(qu *Question) bool { return raw[qu.ID] != "" }
	// The path is the questions shown given the answers before each, in content order.
	var path []*Question
	for i := range c.Questions {
		qu := &c.Questions[i]
		before := Answers{}
		for id, a := range rp.Answers {
			if c.Question(id).Position < qu.Position {
				before[id] = a
			}
		}
		if c.shown(qu, before) {
			path = append(path, qu)
		}
	}
	if !slices.Equal(path, rp.Path) {
		t.Fatalf("path %v, want %v (answers %v)", fuzzIDs(rp.Path), fuzzIDs(path), rp.Answers)
	}
	for id, a := range rp.Answers {
		qu := c.Question(id)
		if qu == nil || qu.Option(a) == nil || !rp.OnPath(qu) || raw[id] != a {
			t.Fatalf("answer %s=%q is not a given, valid answer on the path", id, a)
		}
	}
	var next *Question
	for _, qu := range rp.Path {
		_, answered := rp.Answers[qu.ID]
		if !answered && next == nil {
			next = qu
		}
		// Invalid: no option of the question, or one not on offer after the answers before it.
		o := qu.Option(raw[qu.ID])
		invalid := given(qu) && (o == nil || !holds(o.ShowIf, rp.Answers))
		if invalid != rp.IsInvalid(qu) {
			t.Fatalf("%s=%q: invalid %v, want %v", qu.ID, raw[qu.ID], rp.IsInvalid(qu), invalid)
		}
		if !answered && !invalid && given(qu) {
			t.Fatalf("%s=%q is valid but was not kept", qu.ID, raw[qu.ID])
		}
	}
	if rp.Next != next {
		t.Fatalf("next %v, want %v", fuzzID(rp.Next), fuzzID(next))
	}
	if rp.Complete() != (next == nil) {
		t.Fatal("Complete disagrees with Next")
	}
	for _, qu := range rp.Dropped {
		if rp.OnPath(qu) || !given(qu) {
			t.Fatalf("dropped %s is on the path or was not answered", qu.ID)
		}
	}
	for i := range c.Questions {
		qu := &c.Questions[i]
		if given(qu) && !rp.OnPath(qu) && !slices.Contains(rp.Dropped, qu) {
			t.Fatalf("%s was answered, is off the path, and not listed as dropped", qu.ID)
		}
	}
	// Progress, where it gives a count, counts the path the visitor will walk: here, the path of
	// these answers completed with "Not sure" (or the first option on offer) wherever one is
	// missing.
	done := maps.Clone(rp.Answers)
	full := c.Replay(done)
	for !full.Complete() {
		o := full.Next.UnsureOption()
		if o == nil {
			o = c.Offered(&full, full.Next)[0]
		}
		done[full.Next.ID] = o.ID
		full = c.Replay(done)
	}
	for i, qu := range rp.Path {
		n, total, ok := c.Progress(rp, qu)
		if !ok {
			continue
		}
		if !full.OnPath(qu) || n != slices.Index(full.Path, qu)+1 || total != len(full.Path) {
			t.Fatalf("Progress(%s) = %d of %d, but it is question %d of a %d-question path %v", qu.ID, n, total, i+1, len(full.Path), fuzzIDs(full.Path))
		}
	}
	if !rp.Complete() {
		if _, err := c.Evaluate(rp); !errors.Is(err, ErrIncomplete) {
			t.Fatalf("Evaluate of incomplete answers: %v, want ErrIncomplete", err)
		}
	}
}

// fuzzCheckResult evaluates a complete replay and checks the result.
func fuzzCheckResult(t *testing.T, c *Content, rp *Replay) *Result {
	t.Helper()
	res, err := c.Evaluate(rp)
	if err != nil || res == nil {
		t.Fatalf("Evaluate of complete answers %v: %v", rp.Answers, err)
	}
	if res.Outcome == nil || c.Outcome(res.Outcome.ID) != res.Outcome {
		t.Fatalf("outcome %v is not one of the content's", res.Outcome)
	}
	if res.Confidence == nil || res.Confidence.Label == "" {
		t.Fatalf("no confidence for %v", rp.Answers)
	}
	if res.Margin < 0 {
		t.Fatalf("negative margin %d", res.Margin)
	}
	if len(res.Reasons) != len(rp.Path) || len(res.Needs) != len(c.Needs) {
		t.Fatalf("%d reasons for %d answers, %d needs for %d", len(res.Reasons), len(rp.Path), len(res.Needs), len(c.Needs))
	}
	sums := map[string]int{}
	for _, qu := range rp.Path {
		for id, n := range qu.Option(rp.Answers[qu.ID]).Needs {
			sums[id] += n
		}
	}
	for _, nv := range res.Needs {
		if nv.Value != sums[nv.Need.ID] || nv.Met != (nv.State == StateMet) || (nv.State != StateOpen && nv.Met != (nv.Value >= nv.Threshold)) {
			t.Fatalf("need %s: %+v, want value %d", nv.Need.ID, nv, sums[nv.Need.ID])
		}
	}
	// Deciding changes make a close call; an undecided result lists the changes that would name
	// a framework.
	if lvl, n := res.Confidence.Level, len(res.Confidence.Deciding); (lvl == CloseCall && n == 0) || (n > 0 && lvl != CloseCall && lvl != Undecided) {
		t.Fatalf("confidence %s with %d deciding changes", res.Confidence.Level, len(res.Confidence.Deciding))
	}
	if again, _ := c.Evaluate(rp); again.Outcome != res.Outcome || again.Margin != res.Margin || again.Confidence.Label != res.Confidence.Label {
		t.Fatal("Evaluate is not deterministic")
	}
	return res
}

// fuzzCheckAlternative checks one changed answer leads to a complete, evaluated answer set.
func fuzzCheckAlternative(t *testing.T, c *Content, rp *Replay, alt *Alternative) {
	t.Helper()
	if alt.Result == nil || alt.Result.Outcome == nil || alt.To == nil || alt.To == alt.From {
		t.Fatalf("alternative %s: incomplete %+v", alt.Question.ID, alt)
	}
	if alt.Answers[alt.Question.ID] != alt.To.ID {
		t.Fatalf("alternative %s=%s answers %q", alt.Question.ID, alt.To.ID, alt.Answers[alt.Question.ID])
	}
	arp := c.Replay(alt.Answers)
	if !arp.Complete() || !maps.Equal(arp.Answers, alt.Answers) {
		t.Fatalf("alternative answers %v are not a complete set", alt.Answers)
	}
	// Opened questions are answered "Not sure": ones the change brings onto the path, or ones
	// whose answer the change takes off offer.
	for _, qu := range alt.Opened {
		o := qu.Option(alt.Answers[qu.ID])
		before := qu.Option(rp.Answers[qu.ID])
		if o == nil || !o.Unsure || (rp.OnPath(qu) && holds(before.ShowIf, alt.Answers)) {
			t.Fatalf("opened %s: answered %q, on the original path %v", qu.ID, alt.Answers[qu.ID], rp.OnPath(qu))
		}
	}
}

func FuzzEngine(f *testing.F) {
	contents := fuzzContents(f)
	for _, seed := range [][]byte{
		nil,
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		{2, 3, 3, 3, 3, 3, 3, 2, 3, 2, 3},
		{2, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1},
		{4, 4, 5, 5, 5, 5, 5, 4, 5, 4, 5},
		{255, 254, 253, 252, 251, 250, 249, 248, 247, 246, 245},
		[]byte("build=platform"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range contents {
			raw := fuzzAnswers(c, data)
			rp := c.Replay(raw)
			fuzzCheckReplay(t, c, raw, &rp)
			if !rp.Complete() {
				continue
			}
			res := fuzzCheckResult(t, c, &rp)
			for _, qu := range rp.Path {
				alts := c.Alternatives(&rp, qu)
				if len(alts) >= len(qu.Options) {
					t.Fatalf("%d alternatives for %s, which has %d options", len(alts), qu.ID, len(qu.Options))
				}
				for i := range alts {
					fuzzCheckAlternative(t, c, &rp, &alts[i])
					if alts[i].Flips(res) != (alts[i].Result.Outcome != res.Outcome) {
						t.Fatal("Flips disagrees with the outcomes")
					}
				}
			}
		}
	})
}

// fuzzAnswers turns bytes into raw answers, one byte per question in content order (answered
// whether or not the question is on the path, so some answers are dropped): an option, nothing,
// an empty value, or a value that is no option. Missing bytes pick the first option.
func fuzzAnswers(c *Content, data []byte) map[string]string {
	raw := map[string]string{}
	for i := range c.Questions {
		qu := &c.Questions[i]
		b := 0
		if i < len(data) {
			b = int(data[i])
		}
		switch k := b % (len(qu.Options) + 3); {
		case k < len(qu.Options):
			raw[qu.ID] = qu.Options[k].ID
		case k == len(qu.Options):
			// Unanswered.
		case k == len(qu.Options)+1:
			raw[qu.ID] = ""
		default:
			raw[qu.ID] = "not-an-option"
		}
	}
	return raw
}

// fuzzGoneParams counts the parameters of q that name a question the content's migrations know
// as gone: removed, or renamed to something else.
func fuzzGoneParams(c *Content, q url.Values) int {
	n := 0
	for k := range q {
		if c.Question(k) != nil {
			continue
		}
		for _, m := range c.Migrations {
			_, renamed := m.RenameQuestions[k]
			if renamed || slices.Contains(m.RemoveQuestions, k) {
				n++
				break
			}
		}
	}
	return n
}

func fuzzID(qu *Question) string {
	if qu == nil {
		return "<nil>"
	}
	return qu.ID
}

func fuzzIDs(qs []*Question) []string {
	out := make([]string, len(qs))
	for i, qu := range qs {
		out[i] = qu.ID
	}
	return out
}
