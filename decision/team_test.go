package decision

import (
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
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

// checkTeam checks what every team must satisfy: a shared answer is every asked member's, each
// disagreement's positions and NotAsked account for every member, each position's result is the
// team's answers with that position, deciding disagreements come first.
func checkTeam(t *testing.T, c *Content, team *Team) {
	t.Helper()
	for id, a := range team.Shared {
		for _, m := range team.Members {
			if got, asked := m.Answers[id]; asked && got != a {
				t.Fatalf("shared %s=%s, but a member asked it answered %q", id, a, got)
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

// teamMembers makes n members from the content's reachable answer sets: each walks the wizard,
// and at each question takes the first member's answer when that member was asked it (with
// probability keep), else a random option. So members share some answers and paths and differ
// on others, as colleagues do; keep 0 gives independent random members.
func teamMembers(c *Content, rng *rand.Rand, n int, keep float64) []TeamMember {
	first := randomAnswers(c, rng)
	members := []TeamMember{{Answers: first}}
	for len(members) < n {
		a := Answers{}
		for {
			rp := c.Replay(a)
			if rp.Complete() {
				break
			}
			q := rp.Next
			if f, ok := first[q.ID]; ok && rng.Float64() < keep {
				a[q.ID] = f
			} else {
				a[q.ID] = q.Options[rng.IntN(len(q.Options))].ID
			}
		}
		members = append(members, TeamMember{Answers: c.Replay(a).Answers})
	}
	return members
}

// mergeByHand is the team rule written out plainly, to check DecideTeam against: for each
// question, over the members who were asked it, the answer they all gave or one a strict
// majority gave; then every question still open on the path "Not sure". It returns the team's
// answers (nil when an open question has no "Not sure" answer) and how many questions were asked
// of someone and agreed on by all who were asked.
func mergeByHand(c *Content, members []TeamMember) (team Answers, asked, agreed int) {
	merged := Answers{}
	for _, q := range c.Questions {
		counts := map[string]int{}
		n := 0
		for _, m := range members {
			if a, ok := m.Answers[q.ID]; ok {
				counts[a]++
				n++
			}
		}
		if n == 0 {
			continue
		}
		asked++
		if len(counts) == 1 {
			agreed++
		}
		for a, k := range counts {
			if 2*k > n {
				merged[q.ID] = a
			}
		}
	}
	for {
		rp := c.Replay(merged)
		if rp.Complete() {
			return rp.Answers, asked, agreed
		}
		u := rp.Next.UnsureOption()
		if u == nil {
			return nil, asked, agreed
		}
		merged[rp.Next.ID] = u.ID
	}
}

// TestTeamMergeOverTheMembersAsked: over thousands of generated teams, a question every asked
// member answers alike is agreed (never a disagreement, and the team's answer when on its path);
// a member who was not asked counts for nothing; the team's answers are the hand-written merge
// and its verdict the engine's verdict of those answers; the agreement count is the questions
// those asked agree on.
func TestTeamMergeOverTheMembersAsked(t *testing.T) {
	c := teamContent(t)
	rng := rand.New(rand.NewPCG(15, 22))
	partial := 0
	for i := range 6000 {
		n := 2 + rng.IntN(MaxTeamMembers-1)
		members := teamMembers(c, rng, n, []float64{0, 0.5, 0.8, 0.95}[i%4])
		team, err := c.DecideTeam(members)
		if err != nil {
			t.Fatal(err)
		}
		checkTeam(t, c, team)
		want, asked, agreed := mergeByHand(c, members)
		if team.Asked != asked || team.Agreed != agreed {
			t.Fatalf("team %d: asked %d, agreed %d; by hand %d, %d", i, team.Asked, team.Agreed, asked, agreed)
		}
		if team.Partial > 0 {
			partial++
		}
		for qi := range c.Questions {
			q := &c.Questions[qi]
			var answers []string
			for _, m := range members {
				if a, ok := m.Answers[q.ID]; ok {
					answers = append(answers, a)
				}
			}
			if len(answers) == 0 || slices.ContainsFunc(answers, func(a string) bool { return a != answers[0] }) {
				continue
			}
			if slices.ContainsFunc(team.Disagreements, func(d Disagreement) bool { return d.Question == q }) {
				t.Fatalf("team %d: %s is a disagreement, but all %d members asked it answered %s", i, q.ID, len(answers), answers[0])
			}
			if team.Shared[q.ID] != answers[0] {
				t.Fatalf("team %d: %s=%s is not shared", i, q.ID, answers[0])
			}
			if a, on := team.Answers[q.ID]; on && a != answers[0] {
				t.Fatalf("team %d: all asked answered %s=%s, the team has %s", i, q.ID, answers[0], a)
			}
		}
		if want == nil {
			if team.Result != nil || team.Blocking == nil {
				t.Fatalf("team %d: the merge blocks, but the team has a result", i)
			}
			continue
		}
		if !maps.Equal(team.Answers, want) {
			t.Fatalf("team %d: team answers %s, merged by hand %s", i, c.Encode(team.Answers), c.Encode(want))
		}
		rp := c.Replay(want)
		res, err := c.Evaluate(&rp)
		if err != nil {
			t.Fatal(err)
		}
		sameResult(t, "team "+strconv.Itoa(i), team.Result, res)
		for _, d := range team.Disagreements {
			if d.Majority >= 0 && team.Merged[d.Question.ID] != d.Positions[d.Majority].Option.ID {
				t.Fatalf("team %d: %s's majority is not the merged answer", i, d.Question.ID)
			}
		}
	}
	if partial < 1000 {
		t.Fatalf("only %d of the teams had a question some members were not asked", partial)
	}
}

// TestTeamExampleFromIssue is issue 20's example: two members answer "a web product, search
// critical", one "a backend only". The one was never asked the search and rendering questions,
// which must not count against the two; the team is not told NestJS, and the agreement count
// counts what those asked agree on.
func TestTeamExampleFromIssue(t *testing.T) {
	c := teamContent(t)
	build, seo := c.Question("build"), c.Question("seo")
	if build == nil || seo == nil || build.Option("platform") == nil || build.Option("api") == nil || seo.Option("critical") == nil {
		t.Fatal("the content has no build=platform, build=api or seo=critical to state the example in")
	}
	// walkWith answers fixed first, the rest with pick.
	walkWith := func(fixed Answers, pick func(q *Question) string) Answers {
		a := maps.Clone(fixed)
		for {
			rp := c.Replay(a)
			if rp.Complete() {
				return rp.Answers
			}
			a[rp.Next.ID] = pick(rp.Next)
		}
	}
	web := Answers{"build": "platform", "seo": "critical"}
	backend := Answers{"build": "api"}
	check := func(what string, members []TeamMember) *Team {
		t.Helper()
		team, err := c.DecideTeam(members)
		if err != nil {
			t.Fatal(err)
		}
		checkTeam(t, c, team)
		if team.Result == nil {
			t.Fatalf("%s: no team result", what)
		}
		if team.Answers["build"] != "platform" || team.Answers["seo"] != "critical" {
			t.Fatalf("%s: the team's answers %s are not the two members' web product with critical search", what, c.Encode(team.Answers))
		}
		if team.Result.Outcome.ID == NestJS {
			t.Fatalf("%s: the team is told NestJS alone", what)
		}
		if _, ok := team.Shared["seo"]; !ok {
			t.Fatalf("%s: the two asked about search agree, but it is not counted as agreed", what)
		}
		_, asked, agreed := mergeByHand(c, members)
		if team.Asked != asked || team.Agreed != agreed || agreed == 0 {
			t.Fatalf("%s: agree on %d of %d, want %d of %d", what, team.Agreed, team.Asked, agreed, asked)
		}
		if s := team.Summary(); !strings.Contains(s, " "+strconv.Itoa(agreed)+" of "+strconv.Itoa(asked)+" questions, counting each among the members who were asked it.") {
			t.Fatalf("%s: summary %q", what, s)
		}
		return team
	}

	// The two alike, the third answering differently wherever it can: the team's answers are
	// the two's, and so is its verdict.
	first := func(q *Question) string { return q.Options[0].ID }
	last := func(q *Question) string { return q.Options[lastReal(q)].ID }
	a := walkWith(web, first)
	team := check("two alike", []TeamMember{{Name: "Ada", Answers: a}, {Name: "Bo", Answers: maps.Clone(a)}, {Name: "Cy", Answers: walkWith(backend, last)}})
	rp := c.Replay(a)
	own, _ := c.Evaluate(&rp)
	if !maps.Equal(team.Answers, a) || team.Result.Outcome != own.Outcome {
		t.Fatalf("two alike: team %s (%s), the two's own %s (%s)", c.Encode(team.Answers), team.Result.Outcome.ID, c.Encode(a), own.Outcome.ID)
	}
	// And with the two differing on the rest, at random.
	rng := rand.New(rand.NewPCG(20, 5))
	random := func(q *Question) string { return q.Options[rng.IntN(len(q.Options))].ID }
	for i := range 2000 {
		check("random "+strconv.Itoa(i), []TeamMember{{Answers: walkWith(web, random)}, {Answers: walkWith(web, random)}, {Answers: walkWith(backend, random)}})
	}
}

func lastReal(q *Question) int {
	for i := len(q.Options) - 1; i >= 0; i-- {
		if !q.Options[i].Unsure && len(q.Options[i].ShowIf) == 0 {
			return i
		}
	}
	return 0
}
