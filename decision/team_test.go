package decision

import (
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// randomAnswers walks the wizard choosing a random option at each question: a complete answer
// set a visitor could give.
func randomAnswers(c *Content, rng *rand.Rand) Answers {
	a := Answers{}
	for {
		rp := c.Replay(a)
		if rp.Complete() {
			return rp.Answers
		}
		q := rp.Next
		a[q.ID] = q.Options[rng.IntN(len(q.Options))].ID
	}
}

func sameResult(t *testing.T, what string, got, want *Result) {
	t.Helper()
	if got == nil || want == nil {
		t.Fatalf("%s: a result is nil (got %v, want %v)", what, got, want)
	}
	if got.Outcome != want.Outcome || got.Confidence.Label != want.Confidence.Label || got.Confidence.Explanation != want.Confidence.Explanation {
		t.Fatalf("%s: got %s (%s), want %s (%s)", what, got.Outcome.ID, got.Confidence.Label, want.Outcome.ID, want.Confidence.Label)
	}
}

func TestTeamOfOneIsThatPersonsResult(t *testing.T) {
	c := teamContent(t)
	rng := rand.New(rand.NewPCG(1, 14))
	for range 500 {
		a := randomAnswers(c, rng)
		rp := c.Replay(a)
		want, err := c.Evaluate(&rp)
		if err != nil {
			t.Fatal(err)
		}
		team, err := c.DecideTeam([]TeamMember{{Name: "Ada", Answers: a}})
		if err != nil {
			t.Fatal(err)
		}
		sameResult(t, c.Encode(a), team.Result, want)
		if len(team.Disagreements) != 0 || team.Agreed != team.Asked || team.Asked != len(rp.Path) {
			t.Fatalf("%s: a team of one has %d disagreements, agrees on %d of %d", c.Encode(a), len(team.Disagreements), team.Agreed, team.Asked)
		}
		if !maps.Equal(team.Answers, rp.Answers) {
			t.Fatalf("%s: team answers %v", c.Encode(a), team.Answers)
		}
	}
}

func TestIdenticalMembersNeverDisagree(t *testing.T) {
	c := teamContent(t)
	rng := rand.New(rand.NewPCG(2, 14))
	for n := 2; n <= MaxTeamMembers; n++ {
		for range 60 {
			a := randomAnswers(c, rng)
			members := make([]TeamMember, n)
			for i := range members {
				members[i] = TeamMember{Answers: maps.Clone(a)}
			}
			team, err := c.DecideTeam(members)
			if err != nil {
				t.Fatal(err)
			}
			if len(team.Disagreements) != 0 || team.Agreed != team.Asked {
				t.Fatalf("%d identical members %s: %d disagreements", n, c.Encode(a), len(team.Disagreements))
			}
			rp := c.Replay(a)
			want, _ := c.Evaluate(&rp)
			sameResult(t, c.Encode(a), team.Result, want)
		}
	}
}

func TestEachMemberReproducesTheirResult(t *testing.T) {
	c := teamContent(t)
	rng := rand.New(rand.NewPCG(3, 14))
	for range 300 {
		n := 1 + rng.IntN(MaxTeamMembers)
		members := make([]TeamMember, n)
		for i := range members {
			members[i] = TeamMember{Answers: randomAnswers(c, rng)}
		}
		team, err := c.DecideTeam(members)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range members {
			rp := c.Replay(m.Answers)
			want, _ := c.Evaluate(&rp)
			sameResult(t, c.Encode(m.Answers), team.Members[i].Result, want)
			// Alone, the member's answers make a team whose result is theirs.
			alone, err := c.DecideTeam(members[i : i+1])
			if err != nil {
				t.Fatal(err)
			}
			sameResult(t, "alone "+c.Encode(m.Answers), alone.Result, want)
		}
		checkTeam(t, c, team)
	}
}

// checkTeam checks what every team must satisfy: shared answers are the team's, each
// disagreement's positions list every member who was asked, each position's result is the team's
// answers with that position, deciding disagreements come first.
func checkTeam(t *testing.T, c *Content, team *Team) {
	t.Helper()
	for id, a := range team.Shared {
		for _, m := range team.Members {
			if m.Answers[id] != a {
				t.Fatalf("shared %s=%s, but a member answered %q", id, a, m.Answers[id])
			}
		}
	}
	if team.Result == nil && team.Blocking == nil {
		t.Fatal("no team result and nothing blocking")
	}
	seenQuiet := false
	for _, d := range team.Disagreements {
		if !d.Decides {
			seenQuiet = true
		} else if seenQuiet {
			t.Fatal("a deciding disagreement after one that does not decide")
		}
		count := len(d.NotAsked)
		for _, p := range d.Positions {
			count += len(p.Members)
			if p.Result != nil {
				rp := c.Replay(p.Answers)
				res, err := c.Evaluate(&rp)
				if err != nil || res.Outcome != p.Result.Outcome {
					t.Fatalf("position %s=%s: its answers give %v", d.Question.ID, p.Option.ID, err)
				}
			}
		}
		if count != len(team.Members) {
			t.Fatalf("disagreement on %s accounts for %d of %d members", d.Question.ID, count, len(team.Members))
		}
	}
	if team.Result != nil && len(team.Deciding()) == 0 {
		differs := false
		for _, m := range team.Members {
			differs = differs || m.Result.Outcome != team.Result.Outcome
		}
		if differs != (len(team.Together) > 0) {
			t.Fatalf("members' outcomes differ from the team's: %v, but %d combinations", differs, len(team.Together))
		}
	}
	for _, cb := range team.Together {
		rp := c.Replay(cb.Answers)
		res, err := c.Evaluate(&rp)
		if err != nil || res.Outcome != cb.Result.Outcome || res.Outcome == team.Result.Outcome {
			t.Fatalf("combination %v of member %d does not give a different outcome", cb.Questions, cb.Member)
		}
		for _, q := range cb.Questions {
			if cb.Answers[q.ID] != team.Members[cb.Member].Answers[q.ID] {
				t.Fatalf("combination answer %s=%s is not member %d's", q.ID, cb.Answers[q.ID], cb.Member)
			}
		}
	}
	if team.Agreed+len(team.Disagreements) != team.Asked {
		t.Fatalf("agreed %d + disagreements %d != asked %d", team.Agreed, len(team.Disagreements), team.Asked)
	}
}

func TestMemberCodeRoundTrip(t *testing.T) {
	c := teamContent(t)
	rng := rand.New(rand.NewPCG(4, 14))
	for i := range 500 {
		m := TeamMember{Answers: randomAnswers(c, rng)}
		if i%2 == 0 {
			m.Name = []string{"Ada", "Zoë Ångström", "李小龙", "<script>alert(1)</script>", strings.Repeat("ñ", MaxNameRunes)}[i%5]
		}
		tok := c.EncodeMember(m)
		if len(tok) > len(c.Questions)+1+base64Len(4*MaxNameRunes) {
			t.Fatalf("token %q is longer than the bound", tok)
		}
		got, err := c.DecodeMember(tok, false)
		if err != nil {
			t.Fatalf("%q: %v", tok, err)
		}
		if got.Name != m.Name || !maps.Equal(got.Answers, m.Answers) {
			t.Fatalf("%q decodes to %+v, want %+v", tok, got, m)
		}
	}
}

func base64Len(n int) int { return (n*8 + 5) / 6 }

func TestDecodeMemberRejectsMalformed(t *testing.T) {
	c := teamContent(t)
	good := c.EncodeMember(TeamMember{Answers: randomAnswers(c, rand.New(rand.NewPCG(5, 14)))})
	cases := map[string]string{
		"empty":          "",
		"short":          good[:len(good)-1],
		"long":           good + "0",
		"bad digit":      "Z" + good[1:],
		"out of range":   "z" + good[1:],
		"all unanswered": strings.Repeat("-", len(c.Questions)),
		"bad base64":     good + ".***",
		"empty name":     good + ".",
		"control name":   good + ".QQpC",                                        // "A\nB"
		"padded name":    good + ".QQ==",                                        // "=" is not base64url raw
		"spaced name":    good + ".IEFkYSA",                                     // " Ada " is not canonical
		"long name":      good + "." + strings.Repeat("QUFB", MaxNameRunes/3+1), // 42 x "A"
		"invalid utf-8":  good + ".gA",
	}
	for name, tok := range cases {
		if _, err := c.DecodeMember(tok, false); !errors.Is(err, ErrBadMember) {
			t.Errorf("%s (%q): got %v, want ErrBadMember", name, tok, err)
		}
	}
	if m, err := c.DecodeMember(".QWRh", true); err != nil || m.Name != "Ada" || m.Answers != nil {
		t.Errorf("a place without answers: %+v, %v", m, err)
	}
}

func TestDecideTeamLimits(t *testing.T) {
	c := teamContent(t)
	if _, err := c.DecideTeam(nil); !errors.Is(err, ErrNoMembers) {
		t.Errorf("no members: %v", err)
	}
	a := randomAnswers(c, rand.New(rand.NewPCG(6, 14)))
	nine := make([]TeamMember, MaxTeamMembers+1)
	for i := range nine {
		nine[i].Answers = a
	}
	if _, err := c.DecideTeam(nine); !errors.Is(err, ErrTooManyMembers) {
		t.Errorf("nine members: %v", err)
	}
	if _, err := c.DecideTeam([]TeamMember{{Answers: Answers{}}}); !errors.Is(err, ErrIncomplete) {
		t.Errorf("incomplete member: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{"  Ada   Lovelace ": "Ada Lovelace", "": "", "Zoë": "Zoë"} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"a\u202eb", "a\x00", "a\tb", "\xff", strings.Repeat("x", MaxNameRunes+1)} {
		if _, err := CleanName(bad); err == nil {
			t.Errorf("CleanName(%q) accepted", bad)
		}
	}
}

// TestTeamSummary pins the summary's wording on a team of two that disagrees on the question
// that decides.
func TestTeamSummary(t *testing.T) {
	c := teamContent(t)
	rng := rand.New(rand.NewPCG(7, 14))
	found := false
	for range 2000 {
		a, b := randomAnswers(c, rng), randomAnswers(c, rng)
		team, err := c.DecideTeam([]TeamMember{{Name: "Ada", Answers: a}, {Answers: b}})
		if err != nil {
			t.Fatal(err)
		}
		checkTeam(t, c, team)
		s := team.Summary()
		if !strings.HasPrefix(s, "You agree on ") {
			t.Fatalf("summary %q", s)
		}
		if d := team.Deciding(); len(d) > 0 && len(d[0].Outcomes()) > 1 {
			found = true
			if !strings.Contains(s, "Settle “"+d[0].Question.Text+"” first: it decides between ") {
				t.Fatalf("summary %q does not name %q", s, d[0].Question.Text)
			}
		}
	}
	if !found {
		t.Fatal("no random pair had a deciding disagreement")
	}
}

func TestTeamQuoteIsVerbatim(t *testing.T) {
	c := teamContent(t)
	article, err := os.ReadFile("testdata/article.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(article), TeamQuote) {
		t.Errorf("TeamQuote %q is not in the article", TeamQuote)
	}
	if c.Section(TeamQuoteSection) == nil {
		t.Errorf("TeamQuoteSection %q is not a section", TeamQuoteSection)
	}
}

// teamLayout is what a member token's meaning depends on: the questions and their options, in
// order.
func teamLayout(c *Content) string {
	var b strings.Builder
	b.WriteString("v" + strconv.Itoa(c.Version))
	for _, q := range c.Questions {
		b.WriteString(" " + q.ID + "=")
		for i, o := range q.Options {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(o.ID)
		}
	}
	return b.String()
}

// TestTeamLayoutNeedsVersionBump fails when the questions or options a version's team links were
// made with change in a way that changes what a token means, since a token records answers by
// position: that needs a version bump. Appending an option to a question keeps old tokens' meaning;
// adding, removing or moving a question or an option otherwise does not (a token has one character
// per question).
func TestTeamLayoutNeedsVersionBump(t *testing.T) {
	c := teamContent(t)
	for _, q := range c.Questions {
		if len(q.Options) > len(codeDigits) {
			t.Errorf("question %q has %d options; member tokens encode at most %d", q.ID, len(q.Options), len(codeDigits))
		}
	}
	data, err := os.ReadFile("testdata/team-layout.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := teamLayout(c)
	prefix := "v" + strconv.Itoa(c.Version) + " "
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		if layoutCompatible(line, got) {
			return
		}
		want := line
		t.Fatalf("version %d's questions or options changed order or number since its team links were made:\n got %s\nwant %s\nBump version in the content file (and add the new line to testdata/team-layout.txt).", c.Version, got, want)
	}
	t.Fatalf("testdata/team-layout.txt has no line for version %d; add:\n%s", c.Version, got)
}

// layoutCompatible reports whether tokens made under layout want mean the same under got: the
// same questions in the same order, each keeping its options in order (new ones only appended).
func layoutCompatible(want, got string) bool {
	w, g := strings.Fields(want), strings.Fields(got)
	if len(w) != len(g) {
		return false
	}
	for i := range w {
		wq, wopts, _ := strings.Cut(w[i], "=")
		gq, gopts, _ := strings.Cut(g[i], "=")
		if wq != gq || !strings.HasPrefix(gopts+",", wopts+",") {
			return false
		}
	}
	return true
}

// FuzzDecodeMember: any token either is refused with ErrBadMember or decodes to a member whose
// answers are complete and who encodes back to the same token.
func FuzzDecodeMember(f *testing.F) {
	c, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 14))
	for i := range 8 {
		f.Add(c.EncodeMember(TeamMember{Name: []string{"", "Ada", "Zoë", "<b>"}[i%4], Answers: randomAnswers(c, rng)}), i%2 == 0)
	}
	f.Add("", true)
	f.Add(".", false)
	f.Add("-----------.QWRh", true)
	f.Fuzz(func(t *testing.T, tok string, allowEmpty bool) {
		m, err := c.DecodeMember(tok, allowEmpty)
		if err != nil {
			if !errors.Is(err, ErrBadMember) {
				t.Fatalf("%q: error %v is not ErrBadMember", tok, err)
			}
			return
		}
		if back := c.EncodeMember(m); back != tok {
			t.Fatalf("%q decodes to a member that encodes to %q", tok, back)
		}
		if m.Answers != nil {
			rp := c.Replay(m.Answers)
			if !rp.Complete() {
				t.Fatalf("%q: incomplete answers accepted", tok)
			}
		}
	})
}

func teamContent(t testing.TB) *Content {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// BenchmarkDecideTeam decides a team of 8 with random, different answers.
func BenchmarkDecideTeam(b *testing.B) {
	c := teamContent(b)
	rng := rand.New(rand.NewPCG(9, 14))
	members := make([]TeamMember, MaxTeamMembers)
	for i := range members {
		members[i] = TeamMember{Answers: randomAnswers(c, rng)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecideTeam(members); err != nil {
			b.Fatal(err)
		}
	}
}
